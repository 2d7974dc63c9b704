package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.postgres.PostgresDatabase;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Group commit of accepted messages into the PostgreSQL queue ({@link PgGroupCommit}): a committer inserts every
 * message that arrived while it wrote its previous batch in one transaction (one INSERT of all their rows), so
 * that messages arriving together share one COMMIT. {@link #insert} returns only once the transaction holding its
 * message committed.
 *
 * <p>Failure: a batch that does not commit fails every message in it, and none is acknowledged; a COMMIT whose
 * answer was lost may have committed all of them (the clients retry: a possible duplicate, never a loss). When a
 * statement was refused for the data of a message (SQLSTATE class 22 or 23: one message's rows, not the database,
 * are at fault), each message of the batch is tried again in a transaction of its own, so that one message the
 * database refuses fails alone.
 *
 * <p>Only messages held in memory whole (one content chunk) come here; larger ones stream into a transaction of
 * their own. Thread-safe.
 */
final class PgIntakeCommitter implements AutoCloseable {

    /** Most messages in one transaction: bounds its size, and what one failed batch refuses. */
    static final int MAX_BATCH = 64;

    /** One accepted message waiting for its commit. */
    private record Accepted(QueueId id, Envelope envelope, byte[] content) {
        @Override
        public String toString() {
            return id.toString();
        }
    }

    private final PgGroupCommit<Accepted, Void> commit;

    /**
     * @param owner this process's name, stored as the node that accepted each message
     * @param committers committer threads, each holding one pooled connection while it writes
     */
    PgIntakeCommitter(PostgresDatabase db, String owner, int committers) {
        this.commit = new PgGroupCommit<>(db, "intake", committers, MAX_BATCH, (c, batch) -> {
            List<PgMessages.NewMessage> messages = new ArrayList<>(batch.size());
            for (Accepted a : batch) {
                messages.add(new PgMessages.NewMessage(a.id(), a.envelope(), a.content()));
            }
            PgMessages.insert(c, messages, owner);
            return Collections.nCopies(batch.size(), null);
        }, PgGroupCommit::refusedForItsData);
    }

    /**
     * Inserts a message with its whole {@code content} (at most one chunk) and returns once it is committed.
     * Throws the database's error when the batch it was in did not commit.
     */
    void insert(QueueId id, Envelope envelope, byte[] content) throws SQLException, IOException {
        commit.submit(new Accepted(id, envelope, content));
    }

    /** Transactions committed so far, each holding one or more messages. */
    long commits() {
        return commit.commits();
    }

    /** Messages waiting for the committer now (the one it is writing not counted): for tests. */
    int waiting() {
        return commit.waiting();
    }

    /** Stops the committers after the batches they are writing; messages still waiting fail. */
    @Override
    public void close() {
        commit.close();
    }
}
