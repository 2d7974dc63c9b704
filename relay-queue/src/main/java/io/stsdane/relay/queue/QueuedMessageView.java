package io.stsdane.relay.queue;

import java.time.Instant;
import java.util.List;

/**
 * One queued message as the admin API shows it.
 *
 * @param id queue id
 * @param sender envelope sender, empty for a DSN
 * @param size content size in octets
 * @param received when it was accepted
 * @param held whether an operator holds it
 * @param recipients one entry per envelope recipient
 */
public record QueuedMessageView(String id, String sender, long size, Instant received, boolean held,
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
            Instant lastAttempt, Instant nextAttempt) {
    }
}
