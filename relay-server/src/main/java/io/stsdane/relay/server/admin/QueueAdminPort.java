package io.stsdane.relay.server.admin;

import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.queue.QueueId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the admin API ({@code /queue}) needs from the queue. {@code relay-server} adapts the queue module's own
 * admin API to this interface, so the HTTP layer does not depend on the queue's internals.
 *
 * <p>Implementations must be thread-safe: the admin server calls them from its worker threads.
 */
public interface QueueAdminPort {

    /** Every message in the queue, oldest (received first) first. */
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

    /** The stored message (headers and body), as {@code postcat -q} prints it; empty when there is no such id. */
    Optional<MessageContent> content(QueueId id);

    /** Forgets every destination's backoff, so each domain's next attempt is made when due. */
    void clearBackoff();

    /** The destination suspensions in force, by domain. */
    List<Suspension> suspensions();

    /** Suspends delivery to {@code domain} until {@code until} (null: until resumed). */
    void suspend(String domain, Instant until);

    /** Ends a suspension and makes the domain's pending recipients due now; false when it was not suspended. */
    boolean resume(String domain);

    /** A suspended destination; {@code until} is null for "until resumed". */
    record Suspension(String domain, Instant until) {
    }
}
