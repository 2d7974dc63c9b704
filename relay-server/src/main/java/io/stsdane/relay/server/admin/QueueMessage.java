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
 * @param quarantine why the relay set the message aside instead of delivering it (an unreadable row in the
 *     PostgreSQL queue, docs/cluster.md); null for a message delivered normally
 */
public record QueueMessage(
        String id,
        String sender,
        Instant received,
        long sizeBytes,
        boolean held,
        Instant nextAttempt,
        List<QueueRecipient> recipients,
        Quarantine quarantine) {

    public QueueMessage {
        recipients = List.copyOf(recipients);
    }

    /** @param since when it was set aside, @param reason what could not be read, for the operator to repair */
    public record Quarantine(Instant since, String reason) {
    }

    /**
     * @param state for example {@code pending}, {@code delivered}, {@code bounced}
     * @param attempts delivery attempts so far
     * @param lastResult the last attempt's outcome (reply or local diagnostic); null before the first attempt
     */
    public record QueueRecipient(String address, String state, int attempts, String lastResult) {
    }
}
