package io.stsdane.relay.core.delivery;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import java.util.List;
import java.util.Objects;

/**
 * One message to deliver to some of its recipients, all in the same destination domain.
 *
 * @param id the queue id, for logs
 * @param envelope the full envelope (sender, DSN parameters, REQUIRETLS...)
 * @param domain the destination domain of {@code recipients}
 * @param recipients the recipients still pending for this domain
 * @param content the stored message
 */
public record DeliveryRequest(
        QueueId id,
        Envelope envelope,
        String domain,
        List<Recipient> recipients,
        MessageContent content) {

    public DeliveryRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(domain, "domain");
        recipients = List.copyOf(recipients);
        Objects.requireNonNull(content, "content");
    }
}
