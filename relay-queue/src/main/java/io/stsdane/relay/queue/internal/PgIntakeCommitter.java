package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.postgres.PostgresDatabase;
import java.io.InterruptedIOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of accepted messages into the PostgreSQL queue: a committer thread inserts every message that
 * arrived while it wrote its previous batch in one transaction (a batch of each kind of row) and commits it, so
 * that messages arriving together share one COMMIT and its WAL flush ({@code synchronous_commit} stays as the
 * database has it). {@link #insert} returns only once the transaction holding its message committed. With several
 * committers, some write and fill their next batches while others wait for their round trips and commits.
 *
 * <p>Failure: a batch that does not commit fails every message in it, and none is acknowledged; a COMMIT whose
 * answer was lost may have committed all of them (the clients retry: a possible duplicate, never a loss). When a
 * statement was refused for the data of a message (SQLSTATE class 22 or 23: one message's rows, not the database,
 * are at fault), the transaction rolled back with nothing written, and each message of the batch is tried again
 * in a transaction of its own, so that one message the database refuses fails alone.
 *
 * <p>Only messages held in memory whole (one content chunk) come here; larger ones stream into a transaction of
 * their own. Thread-safe.
 */
final class PgIntakeCommitter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PgIntakeCommitter.class);
    /** Most messages in one transaction: bounds its size, and what one failed batch refuses. */
    static final int MAX_BATCH = 64;

    /** One accepted message waiting for its commit. */
    private record Pending(QueueId id, Envelope envelope, byte[] content, CompletableFuture<Void> committed) {
    }

    private final PostgresDatabase db;
    private final String owner;
    private final BlockingQueue<Pending> waiting = new LinkedBlockingQueue<>();
    private final AtomicLong commits = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param owner this process's name, stored as the node that accepted each message
     * @param committers committer threads, each holding one pooled connection while it writes
     */
    PgIntakeCommitter(PostgresDatabase db, String owner, int committers) {
        this.db = db;
        this.owner = owner;
        for (int i = 1; i <= committers; i++) {
            Thread t = new Thread(this::run, "queue-intake-committer-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    /**
     * Inserts a message with its whole {@code content} (at most one chunk) and returns once it is committed.
     * Throws the database's error when the batch it was in did not commit.
     */
    void insert(QueueId id, Envelope envelope, byte[] content) throws SQLException, InterruptedIOException {
        Pending p = new Pending(id, envelope, content, new CompletableFuture<>());
        if (closed) {
            throw new SQLException("the queue is closed");
        }
        waiting.add(p);
        if (closed && waiting.remove(p)) { // closed meanwhile and nobody took it: it will never be written
            throw new SQLException("the queue is closed");
        }
        try {
            p.committed().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the commit of " + id);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof SQLException s ? s
                    : new SQLException("could not store " + id + ": " + e.getCause(), e.getCause());
        }
    }

    /** Transactions committed so far, each holding one or more messages. */
    long commits() {
        return commits.get();
    }

    /** Messages waiting for the committer now (the one it is writing not counted): for tests. */
    int waiting() {
        return waiting.size();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (!closed) {
            try {
                batch.add(waiting.take());
            } catch (InterruptedException e) {
                break;
            }
            waiting.drainTo(batch, MAX_BATCH - 1);
            write(batch);
            batch.clear();
        }
        List<Pending> left = new ArrayList<>();
        waiting.drainTo(left);
        left.forEach(p -> p.committed().completeExceptionally(new SQLException("the queue is closed")));
    }

    /** Writes and commits {@code batch}, then completes each message's future with the outcome. */
    private void write(List<Pending> batch) {
        boolean[] statementsDone = {false};
        try {
            db.inTransaction(c -> {
                List<PgMessages.NewMessage> messages = new ArrayList<>(batch.size());
                Map<QueueId, byte[]> contents = new LinkedHashMap<>();
                for (Pending p : batch) {
                    messages.add(new PgMessages.NewMessage(p.id(), p.envelope(), p.content().length));
                    contents.put(p.id(), p.content());
                }
                PgMessages.insert(c, messages, owner);
                PgContent.writeWhole(c, contents);
                statementsDone[0] = true;
                return null;
            });
            commits.incrementAndGet();
            batch.forEach(p -> p.committed().complete(null));
        } catch (SQLException | RuntimeException e) {
            if (!statementsDone[0] && batch.size() > 1 && refusedForItsData(e)) {
                LOG.warn("PostgreSQL refused a batch of {} accepted messages ({}); storing each on its own",
                        batch.size(), e.toString());
                batch.forEach(p -> write(List.of(p)));
                return;
            }
            batch.forEach(p -> p.committed().completeExceptionally(e));
        }
    }

    /** SQLSTATE class 22 (data exception) or 23 (integrity constraint violation), in {@code e} or its causes. */
    private static boolean refusedForItsData(Throwable e) {
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

    /** Stops the committers after the batches they are writing; messages still waiting fail. */
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
