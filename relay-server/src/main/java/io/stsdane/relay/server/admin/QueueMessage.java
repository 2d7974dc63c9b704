package io.stsdane.relay.server.admin;

import java.time.Instant;
import java.util.List;

/**
 * One queued message as the admin API shows it (serialized to JSON as is).
 *
 * @param id the queue id
 * @param sender the envelope sender; empty for the null sender {@code <>}
 * @param received when the message was accepted
 * @param sizeBytes the size of the message content
 * @param held whether delivery is suspended ({@code relay queue hold})
 * @param nextAttempt the next attempt; null when held or nothing is pending
 * @param recipients every recipient with its state
 */
public record QueueMessage(
        String id,
        String sender,
        Instant received,
        long sizeBytes,
        boolean held,
        Instant nextAttempt,
        List<QueueRecipient> recipients) {

    public QueueMessage {
        recipients = List.copyOf(recipients);
    }

    /**
     * @param state for example {@code pending}, {@code delivered}, {@code bounced}
     * @param attempts delivery attempts so far
     * @param lastResult the last attempt's outcome (reply or local diagnostic); null before the first attempt
     */
    public record QueueRecipient(String address, String state, int attempts, String lastResult) {
    }
}
