package io.stsdane.relay.core.delivery;

import io.stsdane.relay.core.queue.Recipient;
import java.util.Objects;

/**
 * What happened to one recipient in one delivery attempt.
 *
 * @param recipient the recipient
 * @param kind delivered, deferred (retry later) or bounced (permanent)
 * @param scope how far the cause of a deferral or bounce reaches; {@link OutcomeScope#RECIPIENT} for a delivery
 * @param status the enhanced status code (RFC 3463), for example {@code 2.0.0}, {@code 4.7.5}, {@code 5.1.1}
 * @param diagnostic the remote SMTP reply ({@code 550 5.1.1 no such user}) or our own explanation
 * @param remoteMta the host that gave the reply, or empty when none was reached
 * @param nextHopNotifies delivered to a next hop that advertised DSN and so was given the recipient's DSN
 *     parameters (NOTIFY, ORCPT): a success notice is now its job, not ours (RFC 3461 §5.2.1). Only for
 *     {@code DELIVERED}; false when the next hop did not take that duty ({@code Action: relayed}, §5.2.2)
 * @param security the TLS policy and TLS outcome of the attempt that decided this outcome, or null when unknown
 *     (an agent that does not report them)
 */
public record RecipientOutcome(Recipient recipient, Kind kind, OutcomeScope scope, String status, String diagnostic,
        String remoteMta, boolean nextHopNotifies, AttemptSecurity security) {

    public enum Kind { DELIVERED, DEFERRED, BOUNCED }

    public RecipientOutcome {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(scope, "scope");
        if (kind == Kind.DELIVERED && scope != OutcomeScope.RECIPIENT) {
            throw new IllegalArgumentException("a delivery concerns its recipient only");
        }
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(diagnostic, "diagnostic");
        remoteMta = remoteMta == null ? "" : remoteMta;
        if (nextHopNotifies && kind != Kind.DELIVERED) {
            throw new IllegalArgumentException("only a delivered recipient can have passed its DSN duty on");
        }
    }

    /** Delivered to a next hop that did not take the DSN duty (it did not advertise DSN, or it is unknown). */
    public static RecipientOutcome delivered(Recipient r, String diagnostic, String remoteMta) {
        return delivered(r, diagnostic, remoteMta, false);
    }

    /** Delivered; {@code nextHopNotifies}: the next hop advertised DSN and got the DSN parameters. */
    public static RecipientOutcome delivered(Recipient r, String diagnostic, String remoteMta,
            boolean nextHopNotifies) {
        return new RecipientOutcome(r, Kind.DELIVERED, OutcomeScope.RECIPIENT, "2.0.0", diagnostic, remoteMta,
                nextHopNotifies, null);
    }

    /** This outcome, decided by an attempt with that policy and TLS. */
    public RecipientOutcome withSecurity(AttemptSecurity attempt) {
        return new RecipientOutcome(recipient, kind, scope, status, diagnostic, remoteMta, nextHopNotifies, attempt);
    }

    /** Retry later; {@code scope} says whether other mail for the destination should wait too. */
    public static RecipientOutcome deferred(Recipient r, OutcomeScope scope, String status, String diagnostic,
            String remoteMta) {
        return new RecipientOutcome(r, Kind.DEFERRED, scope, status, diagnostic, remoteMta, false, null);
    }

    /** A permanent failure; {@code scope} says what it concerns. */
    public static RecipientOutcome bounced(Recipient r, OutcomeScope scope, String status, String diagnostic,
            String remoteMta) {
        return new RecipientOutcome(r, Kind.BOUNCED, scope, status, diagnostic, remoteMta, false, null);
    }
}
