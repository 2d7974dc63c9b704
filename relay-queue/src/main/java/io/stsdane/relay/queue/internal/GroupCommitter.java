package io.stsdane.relay.queue.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes everybody's writes durable with one commit (for the journal: one {@code fsync} of the segment) for
 * everybody waiting (group commit).
 *
 * <p>A caller appends its record, then calls {@link #awaitDurable()}. It joins the batch that the committer
 * thread will commit next; a batch is only swapped out right before its commit starts, so every write that
 * happened before a caller joined is covered by that commit. Under load the commit count grows with the
 * number of batches, not of messages. A {@link #request() lazy request} (a write whose loss costs a duplicate
 * delivery, never a message) starts no commit of its own: it rides along with the next one a waiting caller
 * starts, or is committed {@link #LAZY_DELAY} after it was made when nobody waits.
 *
 * <p>On a fast disk a commit takes well under a millisecond, so writers that arrive a moment apart would each
 * get one of their own. A {@link CommitDelay} lets a commit that somebody waits for wait, at most its bound,
 * while other intakes are on their way to joining it, or while fewer callers have joined it than joined the
 * commit before: under steady load the callers of one commit come back together with their next writes, so
 * the last batch's size is how many to expect (the idea of PostgreSQL's {@code commit_delay}, which waits while
 * {@code commit_siblings} other transactions are open). A lone writer pays nothing: nobody is on the way and
 * the last batch was its own. When the load drops, one commit waits the bound and the next expects fewer.
 * Every caller that joined a batch gets the batch's commit (or its failure), including when the committer is
 * {@link #close() closed} during the wait. Thread-safe.
 */
public final class GroupCommitter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

    /** The longest a lazy request waits for a commit that somebody waits for. */
    static final Duration LAZY_DELAY = Duration.ofMillis(200);

    private final long lazyDelayNanos;
    private final CommitDelay commitDelay;

    /** What one commit does: make every write made before it started durable. */
    @FunctionalInterface
    public interface Commit {
        void commit() throws IOException;
    }

    private final String what;
    private final Commit commit;
    private final Thread thread;
    private final AtomicLong syncs = new AtomicLong();
    private CompletableFuture<Void> batch = new CompletableFuture<>();
    private boolean requested;
    /** Callers waiting for {@link #batch}. */
    private int joined;
    /** Callers that waited for the last commit. */
    private int joinedLast;
    /** {@link System#nanoTime()} of the oldest lazy request not yet committed (never 0); 0 when there is none. */
    private long lazySince;
    private boolean closed;
    private volatile boolean delaying;

    public GroupCommitter(String what, Commit commit, CommitDelay commitDelay) {
        this(what, commit, commitDelay, LAZY_DELAY);
    }

    GroupCommitter(String what, Commit commit, CommitDelay commitDelay, Duration lazyDelay) {
        this.lazyDelayNanos = lazyDelay.toNanos();
        this.commitDelay = commitDelay;
        this.what = what;
        this.commit = commit;
        this.thread = new Thread(this::run, "spool-committer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Asks for a commit soon without waiting for it: for writes whose loss in a crash costs a duplicate
     * delivery, never a message.
     */
    public synchronized void request() {
        if (!closed && lazySince == 0) {
            lazySince = System.nanoTime() | 1;
            notifyAll();
        }
    }

    /** Blocks until a commit that started after this call has completed. */
    public void awaitDurable() throws IOException {
        CompletableFuture<Void> mine;
        commitDelay.joined();
        synchronized (this) {
            if (closed) {
                throw new IOException("spool is closed");
            }
            requested = true;
            joined++;
            mine = batch;
            notifyAll();
        }
        try {
            mine.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the spool fsync");
        } catch (ExecutionException e) {
            throw new IOException("commit of " + what + " failed", e.getCause());
        }
    }

    /** Commits done so far. */
    public long syncCount() {
        return syncs.get();
    }

    private void run() {
        while (true) {
            CompletableFuture<Void> current;
            synchronized (this) {
                while (!requested && !closed && !lazyDue()) {
                    try {
                        if (lazySince == 0) {
                            wait();
                        } else {
                            TimeUnit.NANOSECONDS.timedWait(this, lazySince + lazyDelayNanos - System.nanoTime());
                        }
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (!requested && lazySince == 0) {
                    return;
                }
                if (requested) {
                    awaitWritersOnTheirWay();
                }
                current = batch;
                batch = new CompletableFuture<>();
                joinedLast = joined;
                joined = 0;
                requested = false;
                lazySince = 0;
            }
            try {
                commit.commit();
                syncs.incrementAndGet();
                current.complete(null);
            } catch (IOException | UncheckedIOException e) {
                LOG.error("commit of {} failed; messages waiting on it are refused", what, e);
                current.completeExceptionally(e);
            }
        }
    }

    /**
     * Waits, at most the commit delay, while intakes are on their way to this batch or it has fewer callers than
     * the last one; every join wakes it up. Closing ends the wait: the batch is committed as it is.
     */
    private void awaitWritersOnTheirWay() {
        long deadline = System.nanoTime() + commitDelay.boundNanos();
        for (long left = commitDelay.boundNanos();
                left > 0 && !closed && (commitDelay.writersOnTheirWay() || joined < joinedLast);
                left = deadline - System.nanoTime()) {
            delaying = true;
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                closed = true;
            } finally {
                delaying = false;
            }
        }
    }

    /** Whether the committer is holding a commit back for intakes on their way (for tests). */
    boolean delaying() {
        return delaying;
    }

    /** Whether the oldest lazy request has waited the lazy delay. */
    private boolean lazyDue() {
        return lazySince != 0 && System.nanoTime() - lazySince >= lazyDelayNanos;
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
