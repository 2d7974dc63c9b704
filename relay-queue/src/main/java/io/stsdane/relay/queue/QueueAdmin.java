package io.stsdane.relay.queue;

import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.queue.QueueId;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Operator actions on the queue, for the admin HTTP API and the {@code relay queue} CLI. Results are records
 * that Jackson serialises as they are. Every action returns false (or empty) when the id is not queued.
 * Thread-safe; safe to call while the message is being delivered (the attempt's results are merged with the
 * admin's change).
 */
public interface QueueAdmin {

    /** Queued messages, soonest due first, at most {@code limit}. Reads each entry from disk. */
    List<QueuedMessageView> list(int limit) throws IOException;

    Optional<QueuedMessageView> show(QueueId id) throws IOException;

    /** Makes every pending recipient due now. */
    boolean retryNow(QueueId id) throws IOException;

    /** Stops delivery attempts until {@link #release}. The message still expires and bounces on release. */
    boolean hold(QueueId id) throws IOException;

    /**
     * Ends a {@link #hold}. For a {@linkplain QueuedMessageView#quarantine() quarantined} message, after an operator
     * repaired its rows, also puts it back in the queue; throws, leaving it quarantined, when it still does not read.
     */
    boolean release(QueueId id) throws IOException;

    /** Removes the message without any DSN. */
    boolean delete(QueueId id) throws IOException;

    /** Fails every pending recipient now (status 5.0.0), releases a hold, and sends the DSNs NOTIFY asks for. */
    boolean bounce(QueueId id) throws IOException;

    /** The stored message (headers and body, CRLF line endings), as {@code postcat -q} shows it. */
    Optional<MessageContent> content(QueueId id) throws IOException;

    /**
     * The destination domains whose recent failures back them off as a whole now (every recipient deferred
     * several times in a row), with when the block ends. Kept by each node in memory.
     */
    Map<String, Instant> backedOff();

    /** Forgets every domain's backoff, so that the next attempt of each domain is made ({@code flush}). */
    void clearBackoff();

    /** The destination suspensions in force, by domain. */
    List<DomainSuspension> suspensions();

    /** Suspends a destination: no attempt to it until {@link #resume} or {@link DomainSuspension#until()}. */
    void suspend(DomainSuspension suspension) throws IOException;

    /** Ends a suspension and makes the domain's pending recipients due now. False when it was not suspended. */
    boolean resume(String domain) throws IOException;
}
