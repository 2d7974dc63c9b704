package io.stsdane.relay.queue.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
 * number of batches, not of messages. Thread-safe.
 */
public final class GroupCommitter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

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
    private boolean closed;

    public GroupCommitter(String what, Commit commit) {
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
        if (!closed) {
            requested = true;
            notifyAll();
        }
    }

    /** Blocks until a commit that started after this call has completed. */
    public void awaitDurable() throws IOException {
        CompletableFuture<Void> mine;
        synchronized (this) {
            if (closed) {
                throw new IOException("spool is closed");
            }
            requested = true;
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
                while (!requested && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (!requested) {
                    return;
                }
                current = batch;
                batch = new CompletableFuture<>();
                requested = false;
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
