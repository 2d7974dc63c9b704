package io.stsdane.relay.queue.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether this node's latest round trip to the database was answered, so that MAIL FROM need not ask again while
 * everything else it sends is answered ({@link PostgresQueueStore#checkCapacity}). Outcomes are ordered by when
 * their round trip began: an answer to a round trip sent before the latest failure does not cancel it.
 * Thread-safe.
 */
final class PgReachability {

    /** {@link System#nanoTime} at which the latest answered round trip began (answers may come in any order). */
    private final AtomicLong answered;
    /** {@link System#nanoTime} at which the latest failure was seen. */
    private volatile long failed;

    /** Nothing answered yet: the first caller asks. */
    PgReachability() {
        long now = System.nanoTime();
        answered = new AtomicLong(now);
        failed = now;
    }

    /** A round trip that began at {@code sentNanos} ({@link System#nanoTime}) was answered. */
    void answered(long sentNanos) {
        answered.accumulateAndGet(sentNanos, (latest, sent) -> sent - latest > 0 ? sent : latest);
    }

    /** A round trip failed just now. */
    void failed() {
        failed = System.nanoTime();
    }

    /** Whether the latest outcome is an answer, given after the latest failure. */
    boolean lastAnswered() {
        return answered.get() - failed > 0;
    }
}
