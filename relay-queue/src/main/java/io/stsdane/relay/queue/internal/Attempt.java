package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.delivery.AttemptSecurity;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import java.time.Instant;

/**
 * One delivery attempt of one recipient, kept in its history. Immutable.
 *
 * @param security the TLS policy the attempt applied and the TLS it got; null when the delivery agent did not
 *     say, and in histories written before the relay kept it
 */
public record Attempt(Instant at, RecipientOutcome.Kind kind, String status, String diagnostic, String remoteMta,
        AttemptSecurity security) {

    /** An attempt without its policy and TLS. */
    public Attempt(Instant at, RecipientOutcome.Kind kind, String status, String diagnostic, String remoteMta) {
        this(at, kind, status, diagnostic, remoteMta, null);
    }

    static Attempt of(Instant at, RecipientOutcome outcome) {
        return new Attempt(at, outcome.kind(), outcome.status(), outcome.diagnostic(), outcome.remoteMta(),
                outcome.security());
    }
}
