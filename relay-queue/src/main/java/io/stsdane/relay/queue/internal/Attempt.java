package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.delivery.RecipientOutcome;
import java.time.Instant;

/** One delivery attempt of one recipient, kept in its history. Immutable. */
public record Attempt(Instant at, RecipientOutcome.Kind kind, String status, String diagnostic, String remoteMta) {

    static Attempt of(Instant at, RecipientOutcome outcome) {
        return new Attempt(at, outcome.kind(), outcome.status(), outcome.diagnostic(), outcome.remoteMta());
    }
}
