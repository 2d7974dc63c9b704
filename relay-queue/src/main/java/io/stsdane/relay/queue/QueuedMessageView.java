package io.stsdane.relay.queue;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.stsdane.relay.core.delivery.AttemptSecurity;
import java.time.Instant;
import java.util.List;

/**
 * One queued message as the admin API shows it. Instants serialise as ISO-8601 strings with any
 * {@code ObjectMapper} (no jsr310 module needed).
 *
 * @param id queue id
 * @param sender envelope sender, empty for a DSN
 * @param size content size in octets
 * @param received when it was accepted
 * @param held whether an operator holds it
 * @param recipients one entry per envelope recipient
 * @param quarantine why the relay set the message aside instead of delivering it, or null for a message that is
 *     delivered normally; a quarantined message shows what its rows still tell (the sender is null when its
 *     envelope is unreadable) and has no next attempt until {@link QueueAdmin#release released}
 */
public record QueuedMessageView(String id, String sender, long size,
        @JsonSerialize(using = ToStringSerializer.class) Instant received, boolean held,
        List<RecipientView> recipients, Quarantine quarantine) {

    public QueuedMessageView {
        recipients = List.copyOf(recipients);
    }

    /**
     * @param address the recipient
     * @param state {@code PENDING}, {@code DELIVERED} or {@code BOUNCED}
     * @param attempts attempts so far
     * @param lastStatus the enhanced status code of the last attempt (RFC 3463), or null
     * @param lastError the last diagnostic, or null
     * @param remoteMta the host that gave the last reply, or null
     * @param lastAttempt when it was last tried, or null
     * @param nextAttempt when it is tried next; null once final, and while the message is quarantined
     * @param history the most recent attempts, oldest first
     */
    public record RecipientView(String address, String state, int attempts, String lastStatus, String lastError,
            String remoteMta,
            @JsonSerialize(using = ToStringSerializer.class) Instant lastAttempt,
            @JsonSerialize(using = ToStringSerializer.class) Instant nextAttempt,
            List<AttemptView> history) {

        public RecipientView {
            history = history == null ? List.of() : List.copyOf(history);
        }

        /** The domain part of the address, after the last {@code @}. */
        public String domain() {
            return address.substring(address.lastIndexOf('@') + 1);
        }
    }

    /**
     * One delivery attempt of a recipient.
     *
     * @param outcome {@code DELIVERED}, {@code DEFERRED} or {@code BOUNCED}
     * @param status the enhanced status code (RFC 3463)
     * @param diagnostic the reply or the local explanation (policy, TLS or DNS failure)
     * @param remoteMta the host that answered, or empty when none was reached
     * @param security the TLS policy the attempt applied and the TLS it got; null when not recorded (histories
     *     written before the relay kept it)
     */
    public record AttemptView(@JsonSerialize(using = ToStringSerializer.class) Instant at, String outcome,
            String status, String diagnostic, String remoteMta, AttemptSecurity security) {

        /** An attempt whose policy and TLS were not recorded. */
        public AttemptView(Instant at, String outcome, String status, String diagnostic, String remoteMta) {
            this(at, outcome, status, diagnostic, remoteMta, null);
        }
    }

    /**
     * A message whose stored rows do not read back (PostgreSQL queue only: the file spool moves such entries out
     * of the queue at start-up). Never delivered and never deleted automatically.
     *
     * @param since when a node found it unreadable
     * @param reason what is wrong with it, for the operator who repairs it
     */
    public record Quarantine(@JsonSerialize(using = ToStringSerializer.class) Instant since, String reason) {
    }
}
