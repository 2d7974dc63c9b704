package io.stsdane.relay.queue.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes renames in one directory durable with one directory fsync for everybody waiting (group commit).
 *
 * <p>A caller renames its file, then calls {@link #awaitDurable()}. It joins the batch that the committer
 * thread will sync next; a batch is only swapped out right before its fsync starts, so every rename that
 * happened before a caller joined is covered by that fsync. Under load the fsync count grows with the
 * number of batches, not of messages. Thread-safe.
 */
public final class GroupCommitter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

    /** The one fsync seam: tests count calls, production forces the directory. */
    @FunctionalInterface
    public interface DirectorySync {
        void sync(Path directory) throws IOException;

        DirectorySync FSYNC = dir -> {
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            }
        };
    }

    private final Path directory;
    private final DirectorySync sync;
    private final Thread thread;
    private final AtomicLong syncs = new AtomicLong();
    private CompletableFuture<Void> batch = new CompletableFuture<>();
    private boolean requested;
    private boolean closed;

    public GroupCommitter(Path directory, DirectorySync sync) {
        this.directory = directory;
        this.sync = sync;
        this.thread = new Thread(this::run, "spool-committer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Blocks until a directory fsync that started after this call has completed. */
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
            throw new IOException("directory fsync failed for " + directory, e.getCause());
        }
    }

    /** Directory fsyncs done so far. */
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
                sync.sync(directory);
                syncs.incrementAndGet();
                current.complete(null);
            } catch (IOException | UncheckedIOException e) {
                LOG.error("fsync of spool directory {} failed; messages waiting on it are refused", directory, e);
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
