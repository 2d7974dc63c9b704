package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.postgres.PostgresDatabase;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Group commit of delivery results into the PostgreSQL queue ({@link PgGroupCommit}): the state changes that
 * arrive while a committer writes its previous batch share one transaction and one COMMIT. A batch costs the
 * same few round trips whatever its size: one query locks and reads every message ({@code SELECT ... FOR
 * UPDATE}), each change is applied to what it read, then one statement deletes the messages that are done and
 * one batch of updates stores the others. {@link #apply} returns only once that transaction committed.
 *
 * <p>Failure: a batch that does not commit fails every change in it, and none is reported written (the caller
 * keeps its results and tries again; a COMMIT whose answer was lost may have written them all, which costs at most
 * a second delivery of a message). A change that throws, or a statement the database refuses for one message's
 * data (SQLSTATE class 22 or 23), rolls its batch back; each change of the batch is then tried again in a
 * transaction of its own, so that the change at fault fails alone.
 *
 * <p>The changes run on a committer thread, inside the batch's transaction: a change that queues a message (a DSN)
 * writes it in that transaction, which commits both or neither. Thread-safe.
 */
final class PgResultCommitter implements AutoCloseable {

    /** Most changes in one transaction: bounds how long its row locks are held, and what one failed batch fails. */
    static final int MAX_BATCH = 64;

    /** A state change to apply, removing the message when it is done. */
    private record Change(QueueId id, QueueStore.StateChange change) {
        @Override
        public String toString() {
            return "the state of " + id;
        }
    }

    /**
     * What a change did: the new state (empty when the message was not queued), or, when its rows did not read
     * back, the reason it was quarantined in the batch's transaction.
     */
    record Applied(Optional<MessageState> after, UnreadableRowException quarantined) {
    }

    private final PgGroupCommit<Change, Applied> commit;

    /** @param committers committer threads, each holding one pooled connection while it writes */
    PgResultCommitter(PostgresDatabase db, int committers) {
        this.commit = new PgGroupCommit<>(db, "result", committers, MAX_BATCH, PgResultCommitter::write,
                e -> !(e instanceof SQLException) || PgGroupCommit.refusedForItsData(e));
    }

    /**
     * Replaces the state of {@code id} with {@code change(current)}, or removes the message when the new state is
     * done, and returns once that is committed. Throws the database's error, or the change's, when the batch it
     * was in did not commit.
     */
    Applied apply(QueueId id, QueueStore.StateChange change) throws SQLException, IOException {
        return commit.submit(new Change(id, change));
    }

    /** Transactions committed so far, each holding one or more changes. */
    long commits() {
        return commit.commits();
    }

    /** Changes waiting for a committer now (those being written not counted): for tests. */
    int waiting() {
        return commit.waiting();
    }

    private static List<Applied> write(Connection c, List<Change> batch) throws SQLException, IOException {
        List<QueueId> ids = batch.stream().map(Change::id).distinct().toList();
        Map<QueueId, PgMessages.Loaded> loaded = PgMessages.loadAll(c, ids, true).stream()
                .collect(Collectors.toMap(PgMessages.Loaded::id, Function.identity()));
        // Where each message stands after the changes so far (empty: gone), so two changes of one message apply
        // in turn; and the state each changed message ends with.
        Map<QueueId, Optional<StoredMessage>> current = new HashMap<>();
        Map<QueueId, MessageState> last = new LinkedHashMap<>();
        List<Applied> out = new ArrayList<>(batch.size());
        for (Change ch : batch) {
            if (!current.containsKey(ch.id())) {
                PgMessages.Loaded l = loaded.get(ch.id());
                if (l != null && l.unreadable() != null) {
                    PgQuarantine.set(c, ch.id(), l.unreadable().reason());
                    current.put(ch.id(), Optional.empty());
                    out.add(new Applied(Optional.empty(), l.unreadable()));
                    continue;
                }
                current.put(ch.id(), Optional.ofNullable(l).map(PgMessages.Loaded::message));
            }
            Optional<StoredMessage> cur = current.get(ch.id());
            if (cur.isEmpty()) {
                out.add(new Applied(Optional.empty(), null));
                continue;
            }
            MessageState after = ch.change().apply(cur.get());
            current.put(ch.id(), after.isDone() ? Optional.empty()
                    : Optional.of(new StoredMessage(ch.id(), cur.get().envelope(), cur.get().size(), after)));
            last.put(ch.id(), after);
            out.add(new Applied(Optional.of(after), null));
        }
        List<QueueId> done = new ArrayList<>();
        List<PgMessages.StateWrite> writes = new ArrayList<>();
        last.forEach((id, after) -> {
            if (after.isDone()) {
                done.add(id);
            } else {
                writes.add(new PgMessages.StateWrite(id, loaded.get(id).message().state(), after));
            }
        });
        PgMessages.deleteAll(c, done);
        PgMessages.storeAll(c, writes);
        return out;
    }

    /** Stops the committers after the batches they are writing; changes still waiting fail. */
    @Override
    public void close() {
        commit.close();
    }
}
