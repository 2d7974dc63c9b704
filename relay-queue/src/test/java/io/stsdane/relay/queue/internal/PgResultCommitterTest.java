package io.stsdane.relay.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.TestMessages;
import io.stsdane.relay.queue.TestSpools;
import io.stsdane.relay.testkit.postgres.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Group commit of delivery results against a real database. A test locks the row of the first message from a
 * connection of its own: the committer's first batch waits on it, the next results pile up meanwhile, and
 * releasing the lock lets them go as one batch. So which results share a transaction is decided by the test,
 * never by timing.
 */
class PgResultCommitterTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final QueueStore.StateChange DELIVERED = cur -> cur.state().mapRecipients(r -> r.withStatus(
            RecipientState.Status.DELIVERED, "2.0.0", "250 ok", RecipientState.Report.NONE));
    private static final QueueStore.StateChange DEFERRED = cur -> cur.state().mapRecipients(r -> r.withStatus(
            RecipientState.Status.PENDING, "4.0.0", "450 later", RecipientState.Report.NONE)
            .withNextAttempt(T0.plusSeconds(600)));

    @RegisterExtension
    final TestDatabase db = new TestDatabase();

    private final QueueIds ids = new QueueIds(Clock.systemUTC());
    private final ExecutorService workers = Executors.newCachedThreadPool();
    private PostgresQueueStore store;
    private PgResultCommitter committer;
    private Connection locker;

    @BeforeEach
    void open() throws Exception {
        store = new PostgresQueueStore(TestSpools.spool(db, "a"));
        store.recover(); // the tables
        committer = new PgResultCommitter(store.database(), 1); // one: the test decides the batches
    }

    @AfterEach
    void close() throws SQLException {
        if (locker != null) {
            locker.close();
        }
        workers.shutdownNow();
        committer.close();
        store.close();
    }

    @Test
    void resultsRecordedWhileABatchIsWrittenShareTheNextCommit() throws Exception {
        Future<PgResultCommitter.Applied> first = lockedFirstBatch(queued(), DELIVERED);
        List<QueueId> delivered = new ArrayList<>();
        List<QueueId> deferred = new ArrayList<>();
        List<Future<PgResultCommitter.Applied>> next = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            QueueId id = queued();
            delivered.add(id);
            next.add(submit(id, DELIVERED));
        }
        for (int i = 0; i < 3; i++) {
            QueueId id = queued();
            deferred.add(id);
            next.add(submit(id, DEFERRED));
        }
        await().until(() -> committer.waiting() == 9);

        unlock();

        assertThat(first.get().after().orElseThrow().isDone()).isTrue();
        for (Future<PgResultCommitter.Applied> f : next) {
            assertThat(f.get().after()).isPresent();
        }
        assertThat(committer.commits()).isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM queue_message")).isEqualTo(3); // the deferred ones
        for (QueueId id : delivered) {
            assertThat(store.load(id)).isEmpty();
        }
        for (QueueId id : deferred) {
            RecipientState r = store.load(id).orElseThrow().state().recipients().get(0);
            assertThat(r.lastStatus()).isEqualTo("4.0.0");
            assertThat(r.nextAttempt()).isEqualTo(T0.plusSeconds(600));
        }
    }

    @Test
    void aBatchWhoseCommitFailsFailsEveryResultInItAndWritesNone() throws Exception {
        refuseAtCommitTheRemovalOf("refuse-at-commit@example.net");
        Future<PgResultCommitter.Applied> first = lockedFirstBatch(queued(), DELIVERED);
        QueueId refused = queued("refuse-at-commit@example.net");
        QueueId innocentDelivered = queued();
        QueueId innocentDeferred = queued();
        List<Future<PgResultCommitter.Applied>> batch = List.of(submit(innocentDelivered, DELIVERED),
                submit(refused, DELIVERED), submit(innocentDeferred, DEFERRED));
        await().until(() -> committer.waiting() == 3);

        unlock();

        first.get();
        for (Future<PgResultCommitter.Applied> f : batch) {
            assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SQLException.class).hasMessageContaining("refused at commit");
        }
        assertThat(committer.commits()).isEqualTo(1); // the first batch's only
        assertThat(store.load(refused)).isPresent();
        assertThat(store.load(innocentDelivered)).isPresent();
        assertThat(store.load(innocentDeferred).orElseThrow().state().recipients().get(0).lastStatus()).isNull();

        submit(innocentDelivered, DELIVERED).get(); // the committer goes on
        assertThat(committer.commits()).isEqualTo(2);
        assertThat(store.load(innocentDelivered)).isEmpty();
    }

    @Test
    void theStoreReportsAResultWhoseCommitFailedAsNotWritten() throws Exception {
        refuseAtCommitTheRemovalOf("refuse-at-commit@example.net");
        QueueId refused = queued("refuse-at-commit@example.net");

        assertThatThrownBy(() -> store.updateOrRemove(refused, DELIVERED)).isInstanceOf(IOException.class)
                .hasMessageContaining("refused at commit");
        assertThat(store.load(refused)).isPresent();
        assertThat(store.resultCommits()).isZero();

        QueueId other = queued();
        assertThat(store.updateOrRemove(other, DELIVERED).orElseThrow().isDone()).isTrue();
        assertThat(store.load(other)).isEmpty();
        assertThat(store.resultCommits()).isEqualTo(1);
    }

    @Test
    void aChangeThatThrowsFailsAloneAndTheOthersOfItsBatchAreWritten() throws Exception {
        Future<PgResultCommitter.Applied> first = lockedFirstBatch(queued(), DELIVERED);
        QueueId a = queued();
        QueueId failing = queued();
        QueueId b = queued();
        Future<PgResultCommitter.Applied> fa = submit(a, DELIVERED);
        Future<PgResultCommitter.Applied> ff = submit(failing, cur -> {
            throw new IOException("could not queue the DSN");
        });
        Future<PgResultCommitter.Applied> fb = submit(b, DEFERRED);
        await().until(() -> committer.waiting() == 3);

        unlock();

        first.get();
        assertThat(fa.get().after().orElseThrow().isDone()).isTrue();
        assertThat(fb.get().after()).isPresent();
        assertThatThrownBy(ff::get).hasCauseInstanceOf(IOException.class).hasMessageContaining("DSN");
        assertThat(store.load(a)).isEmpty();
        assertThat(store.load(b).orElseThrow().state().recipients().get(0).lastStatus()).isEqualTo("4.0.0");
        assertThat(store.load(failing).orElseThrow().state().recipients().get(0).lastStatus()).isNull();
    }

    @Test
    void anErrorInAChangeFailsItsBatchAndTheCommitterGoesOn() throws Exception {
        QueueId id = queued();
        Future<PgResultCommitter.Applied> failing = submit(id, cur -> {
            throw new StackOverflowError("deep");
        });
        // Before, the Error ended the committer's thread: neither future ever completed.
        assertThatThrownBy(() -> failing.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StackOverflowError.class);
        assertThat(submit(id, DELIVERED).get(30, TimeUnit.SECONDS).after().orElseThrow().isDone()).isTrue();
        assertThat(store.load(id)).isEmpty();
    }

    @Test
    void twoResultsOfOneMessageInABatchApplyInTurn() throws Exception {
        Future<PgResultCommitter.Applied> first = lockedFirstBatch(queued(), DELIVERED);
        QueueId id = queued();
        // One at a time: each submit runs on a thread of its own, so only waiting for it fixes the order.
        Future<PgResultCommitter.Applied> deferral = submit(id, DEFERRED);
        await().until(() -> committer.waiting() == 1);
        Future<PgResultCommitter.Applied> delivery = submit(id, cur -> {
            assertThat(cur.state().recipients().get(0).lastStatus()).isEqualTo("4.0.0"); // sees the deferral
            return DELIVERED.apply(cur);
        });
        await().until(() -> committer.waiting() == 2);
        Future<PgResultCommitter.Applied> late = submit(id, DEFERRED);
        await().until(() -> committer.waiting() == 3);

        unlock();

        first.get();
        assertThat(deferral.get().after()).isPresent();
        assertThat(delivery.get().after().orElseThrow().isDone()).isTrue();
        assertThat(late.get().after()).isEmpty(); // removed by the delivery before it
        assertThat(store.load(id)).isEmpty();
        assertThat(committer.commits()).isEqualTo(2);
    }

    /**
     * Locks the row of {@code id}, submits {@code change} for it and waits until the committer's transaction
     * for it waits on the lock; returns that change's future.
     */
    private Future<PgResultCommitter.Applied> lockedFirstBatch(QueueId id, QueueStore.StateChange change)
            throws SQLException {
        locker = DriverManager.getConnection(db.url(), db.user(), db.password());
        locker.setAutoCommit(false);
        try (PreparedStatement ps = locker.prepareStatement(
                "SELECT id FROM " + db.schema() + ".queue_message WHERE id = ? FOR UPDATE")) {
            ps.setString(1, id.value());
            ps.executeQuery().close();
        }
        long lockerPid;
        try (PreparedStatement ps = locker.prepareStatement("SELECT pg_backend_pid()");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            lockerPid = rs.getLong(1);
        }
        Future<PgResultCommitter.Applied> first = submit(id, change);
        await().until(() -> db.count("SELECT count(*) FROM pg_stat_activity WHERE " + lockerPid
                + " = ANY (pg_blocking_pids(pid))") == 1);
        return first;
    }

    private void unlock() throws SQLException {
        locker.rollback();
    }

    private Future<PgResultCommitter.Applied> submit(QueueId id, QueueStore.StateChange change) {
        return workers.submit(() -> committer.apply(id, change));
    }

    private QueueId queued() throws Exception {
        return queued("bob@example.net");
    }

    private QueueId queued(String rcpt) throws Exception {
        QueueId id = ids.get();
        store.enqueue(id, TestMessages.envelope("alice@example.org", T0, TestMessages.rcpt(rcpt)),
                new ByteArrayInputStream(TestMessages.bytes(TestMessages.text("to " + rcpt))));
        return id;
    }

    /** A deferred constraint trigger: checked at COMMIT, it fails a commit that removes a message to {@code address}. */
    private void refuseAtCommitTheRemovalOf(String address) throws SQLException {
        db.execute("CREATE FUNCTION refuse_marked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "IF OLD.envelope::text LIKE '%" + address + "%' THEN RAISE EXCEPTION 'refused at commit'; END IF; "
                + "RETURN NULL; END $$");
        db.execute("CREATE CONSTRAINT TRIGGER refuse AFTER DELETE ON queue_message DEFERRABLE INITIALLY DEFERRED "
                + "FOR EACH ROW EXECUTE FUNCTION refuse_marked()");
    }
}
