package io.stsdane.relay.queue.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How long a group commit may wait for writers on their way ({@code spool.commit-delay}), and who is on the
 * way: the intakes that have read a whole message and are appending it ({@link #begin}), not yet joined a
 * commit (a client still sending its DATA is not on its way: it may take minutes). A commit
 * waits while such intakes exist, so that their messages share its {@code fsync}; with nobody on the way (a
 * lone session) it starts at once. (It also waits while it has fewer callers than the last commit had: that
 * count is {@link GroupCommitter}'s.) The idea of PostgreSQL's {@code commit_delay}, which waits only when
 * {@code commit_siblings} other transactions are open, with the intakes on their way counted exactly.
 *
 * <p>An intake's {@link #begin}, its {@link #joined() join} (in {@link GroupCommitter#awaitDurable()}) and its
 * {@link #end} happen on the intake's own thread, which is how a join is matched to its intake without the
 * store passing anything along. Thread-safe.
 */
public final class CommitDelay {

    private final long boundNanos;
    private final AtomicInteger onTheirWay = new AtomicInteger();
    /** Set on an intake's thread from {@link #begin} until it joins a commit or ends. */
    private final ThreadLocal<Boolean> underway = new ThreadLocal<>();

    /** @param bound the longest a commit waits; {@link Duration#ZERO} commits at once, always */
    public CommitDelay(Duration bound) {
        if (bound.isNegative()) {
            throw new IllegalArgumentException("the commit delay must not be negative: " + bound);
        }
        this.boundNanos = bound.toNanos();
    }

    /** No waiting: every commit starts as soon as somebody waits for it. */
    public static CommitDelay none() {
        return new CommitDelay(Duration.ZERO);
    }

    /** An intake on this thread has read its whole message and is about to append it and wait for it. */
    void begin() {
        if (underway.get() == null) {
            underway.set(Boolean.TRUE);
            onTheirWay.incrementAndGet();
        }
    }

    /** The intake on this thread failed before it waited for a commit. */
    void end() {
        arrived();
    }

    /** The caller on this thread waits for a commit now: if it is an intake, it is no longer on its way. */
    void joined() {
        arrived();
    }

    private void arrived() {
        if (underway.get() != null) {
            underway.remove();
            onTheirWay.decrementAndGet();
        }
    }

    long boundNanos() {
        return boundNanos;
    }

    /** Whether intakes have begun and not yet joined a commit. */
    boolean writersOnTheirWay() {
        return onTheirWay.get() > 0;
    }
}
