package io.stsdane.relay.queue.internal;

import io.stsdane.relay.postgres.PostgresDatabase;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit into PostgreSQL: committer threads write every item that arrived while they wrote their previous
 * batch in one transaction and commit it, so that items arriving together share one COMMIT and its WAL flush
 * ({@code synchronous_commit} stays as the database has it). {@link #submit} returns only once the transaction
 * holding its item committed. With several committers, some write and fill their next batches while others wait
 * for their round trips and commits.
 *
 * <p>Failure: a batch that does not commit fails every item in it, and none is reported done; a COMMIT whose
 * answer was lost may have committed all of them (the callers retry: a possible duplicate, never a loss). When a
 * batch failed before its COMMIT for a reason {@code aloneAtFault} says may belong to one item (the database
 * refused one item's data), the transaction rolled back with nothing written, and each item of the batch is
 * tried again in a transaction of its own, so that the item at fault fails alone. Thread-safe.
 *
 * @param <T> what a caller hands in
 * @param <R> what the transaction made of it
 */
final class PgGroupCommit<T, R> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PgGroupCommit.class);

    /** Writes a batch in the transaction of {@code c}: one result per item, in their order. */
    @FunctionalInterface
    interface BatchWriter<T, R> {
        List<R> write(Connection c, List<T> batch) throws SQLException, IOException;
    }

    private record Pending<T, R>(T item, CompletableFuture<R> done) {
    }

    private final PostgresDatabase db;
    private final String what;
    private final int maxBatch;
    private final BatchWriter<T, R> writer;
    private final Predicate<Exception> aloneAtFault;
    private final BlockingQueue<Pending<T, R>> waiting = new LinkedBlockingQueue<>();
    private final AtomicLong commits = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param what names the items in thread names and logs ("intake", "result")
     * @param committers committer threads, each holding one pooled connection while it writes
     * @param maxBatch most items in one transaction: bounds its size, and what one failed batch fails
     */
    PgGroupCommit(PostgresDatabase db, String what, int committers, int maxBatch, BatchWriter<T, R> writer,
            Predicate<Exception> aloneAtFault) {
        this.db = db;
        this.what = what;
        this.maxBatch = maxBatch;
        this.writer = writer;
        this.aloneAtFault = aloneAtFault;
        for (int i = 1; i <= committers; i++) {
            Thread t = new Thread(this::run, "queue-" + what + "-committer-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /** Writes {@code item} and returns once it is committed; throws what failed its batch. */
    R submit(T item) throws SQLException, IOException {
        Pending<T, R> p = new Pending<>(item, new CompletableFuture<>());
        if (closed) {
            throw new SQLException("the queue is closed");
        }
        waiting.add(p);
        if (closed && waiting.remove(p)) { // closed meanwhile and nobody took it: it will never be written
            throw new SQLException("the queue is closed");
        }
        try {
            return p.done().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the commit of " + item);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException s) {
                throw s;
            } else if (cause instanceof IOException io) {
                throw io;
            } else if (cause instanceof RuntimeException r) {
                throw r;
            } else if (cause instanceof Error err) {
                throw err;
            }
            throw new SQLException("could not write " + item + ": " + cause, cause);
        }
    }

    /** Transactions committed so far, each holding one or more items. */
    long commits() {
        return commits.get();
    }

    /** Items waiting for a committer now (those being written not counted): for tests. */
    int waiting() {
        return waiting.size();
    }

    private void run() {
        List<Pending<T, R>> batch = new ArrayList<>(maxBatch);
        while (!closed) {
            try {
                batch.add(waiting.take());
            } catch (InterruptedException e) {
                break;
            }
            waiting.drainTo(batch, maxBatch - 1);
            write(batch);
            batch.clear();
        }
        List<Pending<T, R>> left = new ArrayList<>();
        waiting.drainTo(left);
        left.forEach(p -> p.done().completeExceptionally(new SQLException("the queue is closed")));
    }

    /** Writes and commits {@code batch}, then completes each item's future with the outcome. */
    private void write(List<Pending<T, R>> batch) {
        boolean[] statementsDone = {false};
        try {
            List<R> results = db.inTransaction(c -> {
                List<R> out = writer.write(c, batch.stream().map(Pending::item).toList());
                statementsDone[0] = true;
                return out;
            });
            commits.incrementAndGet();
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).done().complete(results.get(i));
            }
        } catch (SQLException | IOException | RuntimeException e) {
            if (!statementsDone[0] && batch.size() > 1 && aloneAtFault.test(e)) {
                LOG.warn("a batch of {} {} writes failed ({}); writing each on its own", batch.size(), what,
                        e.toString());
                batch.forEach(p -> write(List.of(p)));
                return;
            }
            batch.forEach(p -> p.done().completeExceptionally(e));
        } catch (Error e) {
            // Out of memory, a stack overflow in a change: the batch rolled back. Its callers get the error; the
            // committer goes on, as every later intake or result would otherwise wait for it forever.
            LOG.error("a batch of {} {} writes failed: {}", batch.size(), what, e.toString());
            batch.forEach(p -> p.done().completeExceptionally(e));
        }
    }

    /** SQLSTATE class 22 (data exception) or 23 (integrity constraint violation), in {@code e} or its causes. */
    static boolean refusedForItsData(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // A batch's error carries the server's in its chain of next exceptions.
            for (SQLException s = t instanceof SQLException x ? x : null; s != null; s = s.getNextException()) {
                String state = s.getSQLState();
                if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Stops the committers after the batches they are writing; items still waiting fail. */
    @Override
    public void close() {
        closed = true;
        threads.forEach(Thread::interrupt);
        try {
            for (Thread t : threads) {
                t.join(30_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
