package io.stsdane.relay.core.delivery;

import io.stsdane.relay.core.queue.Recipient;
import java.util.Objects;

/**
 * What happened to one recipient in one delivery attempt.
 *
 * @param recipient the recipient
 * @param kind delivered, deferred (retry later) or bounced (permanent)
 * @param status the enhanced status code (RFC 3463), for example {@code 2.0.0}, {@code 4.7.5}, {@code 5.1.1}
 * @param diagnostic the remote SMTP reply ({@code 550 5.1.1 no such user}) or our own explanation
 * @param remoteMta the host that gave the reply, or empty when none was reached
 */
public record RecipientOutcome(Recipient recipient, Kind kind, String status, String diagnostic, String remoteMta) {

    public enum Kind { DELIVERED, DEFERRED, BOUNCED }

    public RecipientOutcome {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(diagnostic, "diagnostic");
        remoteMta = remoteMta == null ? "" : remoteMta;
    }

    public static RecipientOutcome delivered(Recipient r, String diagnostic, String remoteMta) {
        return new RecipientOutcome(r, Kind.DELIVERED, "2.0.0", diagnostic, remoteMta);
    }

    public static RecipientOutcome deferred(Recipient r, String status, String diagnostic, String remoteMta) {
        return new RecipientOutcome(r, Kind.DEFERRED, status, diagnostic, remoteMta);
    }

    public static RecipientOutcome bounced(Recipient r, String status, String diagnostic, String remoteMta) {
        return new RecipientOutcome(r, Kind.BOUNCED, status, diagnostic, remoteMta);
    }
}
