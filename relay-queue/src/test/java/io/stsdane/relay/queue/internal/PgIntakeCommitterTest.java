package io.stsdane.relay.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.TestMessages;
import io.stsdane.relay.queue.TestSpools;
import io.stsdane.relay.testkit.postgres.TestDatabase;
import java.io.ByteArrayInputStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Group commit of accepted messages against a real database. A test holds a lock on {@code queue_message} from a
 * connection of its own: the committer's first batch waits on it, the next messages pile up meanwhile, and
 * releasing the lock lets them go as one batch. So which messages share a transaction is decided by the test,
 * never by timing.
 */
class PgIntakeCommitterTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    @RegisterExtension
    final TestDatabase db = new TestDatabase();

    private final QueueIds ids = new QueueIds(Clock.systemUTC());
    private final ExecutorService clients = Executors.newCachedThreadPool();
    private PostgresQueueStore store;
    private PgIntakeCommitter committer;
    private Connection locker;

    @BeforeEach
    void open() throws Exception {
        store = new PostgresQueueStore(TestSpools.spool(db, "a"));
        store.recover(); // the tables
        committer = new PgIntakeCommitter(store.database(), "test", 1); // one: the test decides the batches
    }

    @AfterEach
    void close() throws SQLException {
        if (locker != null) {
            locker.close();
        }
        clients.shutdownNow();
        committer.close();
        store.close();
    }

    @Test
    void messagesArrivingWhileABatchIsWrittenShareTheNextCommit() throws Exception {
        Future<?> first = lockedFirstBatch();
        List<Future<?>> next = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            next.add(submit(ids.get(), envelope("bob@example.net")));
        }
        await().until(() -> committer.waiting() == 9);

        unlock();

        first.get();
        for (Future<?> f : next) {
            f.get();
        }
        assertThat(committer.commits()).isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM queue_message")).isEqualTo(10);
        assertThat(db.count("SELECT count(*) FROM queue_content")).isEqualTo(10);
    }

    @Test
    void aBatchWhoseCommitFailsFailsEveryMessageInItAndStoresNone() throws Exception {
        refuseAtCommitMessagesFor("refuse-at-commit@example.net");
        Future<?> first = lockedFirstBatch();
        QueueId refused = ids.get();
        QueueId innocent1 = ids.get();
        QueueId innocent2 = ids.get();
        List<Future<?>> batch = List.of(submit(innocent1, envelope("bob@example.net")),
                submit(refused, envelope("refuse-at-commit@example.net")),
                submit(innocent2, envelope("carol@example.net")));
        await().until(() -> committer.waiting() == 3);

        unlock();

        first.get();
        for (Future<?> f : batch) {
            assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SQLException.class).hasMessageContaining("refused at commit");
        }
        assertThat(db.count("SELECT count(*) FROM queue_message")).isEqualTo(1); // the first batch's only
        assertThat(db.count("SELECT count(*) FROM queue_content")).isEqualTo(1);
        assertThat(committer.commits()).isEqualTo(1);

        submit(ids.get(), envelope("dave@example.net")).get(); // the committer goes on
        assertThat(committer.commits()).isEqualTo(2);
    }

    @Test
    void theStoreAnswers451WhenTheCommitOfItsMessageFails() throws Exception {
        refuseAtCommitMessagesFor("refuse-at-commit@example.net");
        QueueId id = ids.get();

        assertThatThrownBy(() -> store.enqueue(id, envelope("refuse-at-commit@example.net"),
                new ByteArrayInputStream(TestMessages.bytes(TestMessages.text("refused")))))
                .isInstanceOfSatisfying(IntakeException.class, e -> assertThat(e.code()).isEqualTo(451));
        assertThat(store.load(id)).isEmpty();
        assertThat(store.intakeCommits()).isZero();

        store.enqueue(ids.get(), envelope("bob@example.net"),
                new ByteArrayInputStream(TestMessages.bytes(TestMessages.text("stored"))));
        assertThat(store.intakeCommits()).isEqualTo(1);
    }

    @Test
    void aMessageTheDatabaseRefusesFailsAloneAndTheOthersOfItsBatchAreStored() throws Exception {
        QueueId taken = ids.get();
        submit(taken, envelope("bob@example.net")).get();
        Future<?> first = lockedFirstBatch();
        QueueId other1 = ids.get();
        QueueId other2 = ids.get();
        Future<?> a = submit(other1, envelope("carol@example.net"));
        Future<?> duplicate = submit(taken, envelope("mallory@example.net")); // its primary key exists
        Future<?> b = submit(other2, envelope("dave@example.net"));
        await().until(() -> committer.waiting() == 3);

        unlock();

        first.get();
        a.get();
        b.get();
        assertThatThrownBy(duplicate::get).hasCauseInstanceOf(SQLException.class);
        assertThat(db.count("SELECT count(*) FROM queue_message")).isEqualTo(4);
        assertThat(store.load(taken).orElseThrow().envelope().recipients().get(0).address())
                .isEqualTo("bob@example.net");
        assertThat(store.load(other1)).isPresent();
        assertThat(store.load(other2)).isPresent();
    }

    /**
     * Locks {@code queue_message} against inserts, submits one message and waits until the committer's transaction
     * for it waits on the lock; returns that message's future.
     */
    private Future<?> lockedFirstBatch() throws SQLException {
        locker = DriverManager.getConnection(db.url(), db.user(), db.password());
        locker.setAutoCommit(false);
        try (Statement s = locker.createStatement()) {
            s.execute("LOCK TABLE " + db.schema() + ".queue_message IN SHARE ROW EXCLUSIVE MODE");
        }
        Future<?> first = submit(ids.get(), envelope("first@example.net"));
        // Only the insert counts: the lease timer's sweep of finished messages may wait on the lock too.
        await().until(() -> db.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                + "AND query LIKE 'WITH m AS (INSERT INTO queue_message %'") == 1);
        return first;
    }

    private void unlock() throws SQLException {
        locker.rollback();
    }

    private Future<?> submit(QueueId id, Envelope env) {
        byte[] content = TestMessages.bytes(TestMessages.text("to " + env.recipients().get(0).address()));
        return clients.submit(() -> {
            committer.insert(id, env, content);
            return null;
        });
    }

    /** A deferred constraint trigger: checked at COMMIT, it fails the commit of any message to {@code address}. */
    private void refuseAtCommitMessagesFor(String address) throws SQLException {
        db.execute("CREATE FUNCTION refuse_marked() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                + "IF NEW.envelope::text LIKE '%" + address + "%' THEN RAISE EXCEPTION 'refused at commit'; END IF; "
                + "RETURN NULL; END $$");
        db.execute("CREATE CONSTRAINT TRIGGER refuse AFTER INSERT ON queue_message DEFERRABLE INITIALLY DEFERRED "
                + "FOR EACH ROW EXECUTE FUNCTION refuse_marked()");
    }

    private static Envelope envelope(String rcpt) {
        return TestMessages.envelope("alice@example.org", T0, TestMessages.rcpt(rcpt));
    }
}
