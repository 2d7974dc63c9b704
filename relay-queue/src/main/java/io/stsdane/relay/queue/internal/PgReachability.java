package io.stsdane.relay.queue.internal;

/**
 * Whether this node's latest round trip to the database was answered, so that MAIL FROM need not ask again while
 * everything else it sends is answered ({@link PostgresQueueStore#checkCapacity}). Outcomes are ordered by when
 * their round trip began: an answer to a round trip sent before the latest failure does not cancel it.
 * Thread-safe.
 */
final class PgReachability {

    /** {@link System#nanoTime} at which the latest answered round trip began. */
    private volatile long answered;
    /** {@link System#nanoTime} at which the latest failure was seen. */
    private volatile long failed;

    /** Nothing answered yet: the first caller asks. */
    PgReachability() {
        long now = System.nanoTime();
        answered = now;
        failed = now;
    }

    /** A round trip that began at {@code sentNanos} ({@link System#nanoTime}) was answered. */
    void answered(long sentNanos) {
        answered = sentNanos;
    }

    /** A round trip failed just now. */
    void failed() {
        failed = System.nanoTime();
    }

    /** Whether the latest outcome is an answer, given after the latest failure. */
    boolean lastAnswered() {
        return answered - failed > 0;
    }
}
