package io.stsdane.relay.queue;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
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
 */
public record QueuedMessageView(String id, String sender, long size,
        @JsonSerialize(using = ToStringSerializer.class) Instant received, boolean held,
        List<RecipientView> recipients) {

    public QueuedMessageView {
        recipients = List.copyOf(recipients);
    }

    /**
     * @param address the recipient
     * @param state {@code PENDING}, {@code DELIVERED} or {@code BOUNCED}
     * @param attempts attempts so far
     * @param lastError the last diagnostic, or null
     * @param lastAttempt when it was last tried, or null
     * @param nextAttempt when it is tried next; null once final
     */
    public record RecipientView(String address, String state, int attempts, String lastError,
            @JsonSerialize(using = ToStringSerializer.class) Instant lastAttempt,
            @JsonSerialize(using = ToStringSerializer.class) Instant nextAttempt) {
    }
}
