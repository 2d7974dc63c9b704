package io.stsdane.relay.queue;

import io.stsdane.relay.core.queue.QueueId;
import java.io.IOException;
import java.util.List;
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
}
