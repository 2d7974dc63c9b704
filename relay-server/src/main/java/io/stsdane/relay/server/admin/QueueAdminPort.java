package io.stsdane.relay.server.admin;

import io.stsdane.relay.core.queue.QueueId;
import java.util.List;
import java.util.Optional;

/**
 * What the admin API ({@code /queue}) needs from the queue. {@code relay-server} adapts the queue module's own
 * admin API to this interface, so the HTTP layer does not depend on the queue's internals.
 *
 * <p>Implementations must be thread-safe: the admin server calls them from its worker threads.
 */
public interface QueueAdminPort {

    /** Every message in the queue, oldest first. */
    List<QueueMessage> list();

    /** One message, or empty when there is no such id. */
    Optional<QueueMessage> show(QueueId id);

    /** Makes every pending recipient of the message due now. */
    AdminResult retry(QueueId id);

    /** Stops delivery attempts until {@link #release}. */
    AdminResult hold(QueueId id);

    AdminResult release(QueueId id);

    /** Removes the message without a bounce. */
    AdminResult delete(QueueId id);

    /** Fails every pending recipient now and sends the sender a DSN. */
    AdminResult bounce(QueueId id);
}
