package io.stsdane.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.queue.internal.PostgresQueueStore;
import io.stsdane.relay.queue.internal.QueueIds;
import io.stsdane.relay.queue.internal.StoredMessage;
import io.stsdane.relay.testkit.postgres.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Rows of the PostgreSQL queue that do not read back as a message are quarantined, one at a time, while every
 * other message is delivered; a database error never quarantines anything. Each way a row can be broken that the
 * schema lets through is made with plain SQL.
 */
class PostgresQuarantineTest {

    /** More than two 256 KiB chunks, so that a chunk can go missing in the middle. */
    private static final int THREE_CHUNKS = 600_000;

    private final QueueIds ids = new QueueIds(Clock.systemUTC());
    private final List<AutoCloseable> open = new ArrayList<>();
    @RegisterExtension
    final TestDatabase db = new TestDatabase();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private PostgresQueueStore store(PostgresSpool spool) throws IOException {
        PostgresQueueStore s = new PostgresQueueStore(spool);
        open.add(s);
        s.recover();
        return s;
    }

    private MessageQueue node(String name, CountingAgent agent, SimpleMeterRegistry meters) {
        MessageQueue q = MessageQueue.builder().postgres(TestSpools.spool(db, name)).hostname(name + ".test").deliveryAgent(agent)
                .concurrency(4).pollInterval(Duration.ofMillis(100)).meterRegistry(meters).build();
        open.add(q);
        return q;
    }

    private QueueId enqueue(PostgresQueueStore store, Instant received, byte[] content, String... rcpts)
            throws Exception {
        QueueId id = ids.get();
        Recipient[] r = java.util.Arrays.stream(rcpts).map(TestMessages::rcpt).toArray(Recipient[]::new);
        Envelope env = TestMessages.envelope("alice@example.org", received, r);
        store.enqueue(id, env, new ByteArrayInputStream(content));
        return id;
    }

    private QueueId enqueue(PostgresQueueStore store, Instant received) throws Exception {
        return enqueue(store, received, TestMessages.bytes(TestMessages.text("hello")), "bob@example.net");
    }

    /** The four ways to break a message the schema permits, each undone by {@link #repair}. */
    private enum Damage {
        ENVELOPE("unreadable Envelope"),
        HISTORY("unreadable attempt history"),
        RECIPIENT_ROW("1 queue_recipient rows for 2 envelope recipients"),
        CONTENT_CHUNK("queue_content holds 2 chunks numbered 0 to 2");

        final String reason;

        Damage(String reason) {
            this.reason = reason;
        }
    }

    private record Damaged(QueueId id, Damage damage, Object original) {
    }

    private Damaged damage(QueueId id, Damage how) throws Exception {
        String v = id.value();
        return switch (how) {
            case ENVELOPE -> {
                Object original = db.queryOne("SELECT envelope::text FROM queue_message WHERE id = '" + v + "'");
                // Valid JSON (the column is jsonb), but no recipients: the Envelope cannot be built.
                db.execute("UPDATE queue_message SET envelope = '{\"sender\": \"alice@example.org\"}' WHERE id = ?", v);
                yield new Damaged(id, how, original);
            }
            case HISTORY -> {
                db.execute("UPDATE queue_recipient SET history = '{\"not\": \"a list\"}' WHERE message_id = ?", v);
                yield new Damaged(id, how, null);
            }
            case RECIPIENT_ROW -> {
                db.execute("DELETE FROM queue_recipient WHERE message_id = ? AND idx = 1", v);
                yield new Damaged(id, how, null);
            }
            case CONTENT_CHUNK -> {
                Object chunk = db.queryOne("SELECT data FROM queue_content WHERE message_id = '" + v + "' AND seq = 1");
                db.execute("DELETE FROM queue_content WHERE message_id = ? AND seq = 1", v);
                yield new Damaged(id, how, chunk);
            }
        };
    }

    private void repair(Damaged d) throws Exception {
        String v = d.id().value();
        switch (d.damage()) {
            case ENVELOPE -> db.execute("UPDATE queue_message SET envelope = ?::jsonb WHERE id = ?", d.original(), v);
            case HISTORY -> db.execute("UPDATE queue_recipient SET history = '[]' WHERE message_id = ?", v);
            case RECIPIENT_ROW -> db.execute("INSERT INTO queue_recipient SELECT message_id, 1, 'carol@example.com', "
                    + "status, attempts, next_attempt, last_attempt, last_status, last_diagnostic, remote_mta, report, "
                    + "delay_warned, history FROM queue_recipient WHERE message_id = ? AND idx = 0", v);
            case CONTENT_CHUNK -> db.execute("INSERT INTO queue_content (message_id, seq, data) VALUES (?, 1, ?)", v,
                    d.original());
        }
    }

    private Object reasonOf(QueueId id) throws Exception {
        return db.queryOne("SELECT quarantine_reason FROM queue_message WHERE id = '" + id.value()
                + "' AND quarantined_at IS NOT NULL");
    }

    @Test
    void aNodeDeliversAroundEveryKindOfUnreadableMessageAndDeliversEachOnceRepairedAndReleased() throws Exception {
        Instant received = Instant.now().minusSeconds(60);
        List<QueueId> good = new ArrayList<>();
        List<Damaged> bad = new ArrayList<>();
        PostgresQueueStore seed = store(TestSpools.spool(db, "seed"));
        for (Damage how : Damage.values()) {
            good.add(enqueue(seed, received));
            QueueId id = how == Damage.CONTENT_CHUNK
                    ? enqueue(seed, received, TestMessages.content(5, THREE_CHUNKS), "bob@example.net")
                    : enqueue(seed, received, TestMessages.bytes(TestMessages.text("two")), "bob@example.net",
                            "carol@example.com");
            bad.add(damage(id, how));
        }
        good.add(enqueue(seed, received));

        Map<QueueId, AtomicInteger> counts = CountingAgent.newCounts();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        MessageQueue node = node("a", new CountingAgent(counts), meters);
        assertThat(node.start()).isEqualTo(new RecoveryReport(9, 0, 0, 0));

        // The good ones are delivered and leave the queue; each bad one is set aside with what is wrong with it.
        await().atMost(Duration.ofSeconds(30)).until(() -> db.queryOne(
                "SELECT count(*) FROM queue_message WHERE quarantined_at IS NULL").equals(0L));
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(good);
        for (Damaged d : bad) {
            assertThat(reasonOf(d.id())).as(d.damage().name()).asString().contains(d.damage().reason);
        }
        assertThat(db.queryOne("SELECT count(*) FROM queue_message WHERE lease_owner IS NOT NULL")).isEqualTo(0L);

        // Still counted and shown, with the reason; no state change but release and delete.
        assertThat(meters.get("relay.queue.size").gauge().value()).isEqualTo(4.0);
        assertThat(meters.get("relay.queue.quarantined").gauge().value()).isEqualTo(4.0);
        List<QueuedMessageView> listed = node.admin().list(100);
        assertThat(listed).extracting(QueuedMessageView::id)
                .containsExactlyInAnyOrderElementsOf(bad.stream().map(d -> d.id().value()).toList());
        assertThat(listed).allSatisfy(v -> {
            assertThat(v.quarantine()).isNotNull();
            assertThat(v.recipients()).allSatisfy(r -> assertThat(r.nextAttempt()).isNull());
        });
        QueuedMessageView envelopeGone = node.admin().show(bad.get(0).id()).orElseThrow();
        assertThat(envelopeGone.sender()).isEqualTo("alice@example.org");
        assertThat(envelopeGone.quarantine().reason()).contains(Damage.ENVELOPE.reason);
        assertThat(envelopeGone.recipients()).extracting(QueuedMessageView.RecipientView::address)
                .containsExactly("bob@example.net", "carol@example.com");
        assertThatThrownBy(() -> node.admin().hold(bad.get(1).id())).isInstanceOf(IOException.class)
                .hasMessageContaining("quarantined").hasMessageContaining(Damage.HISTORY.reason);
        // Releasing before the repair changes nothing.
        assertThatThrownBy(() -> node.admin().release(bad.get(2).id())).isInstanceOf(IOException.class)
                .hasMessageContaining("still does not read back").hasMessageContaining(Damage.RECIPIENT_ROW.reason);
        assertThat(reasonOf(bad.get(2).id())).asString().contains(Damage.RECIPIENT_ROW.reason);

        // A node starting now reports them, as the file spool reports its quarantine folder.
        MessageQueue other = node("b", new CountingAgent(counts), new SimpleMeterRegistry());
        assertThat(other.start()).isEqualTo(new RecoveryReport(0, 0, 4, 0));
        assertThat(counts.keySet()).doesNotContainAnyElementsOf(bad.stream().map(Damaged::id).toList());

        for (Damaged d : bad) {
            repair(d);
            assertThat(node.admin().release(d.id())).isTrue();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> db.queryOne("SELECT count(*) FROM queue_message")
                .equals(0L));
        assertThat(counts.keySet()).containsAll(bad.stream().map(Damaged::id).toList());
    }

    @Test
    void aLeaseReplacesAnUnreadableMessageWithTheNextDueOneInTheSameCall() throws Exception {
        PostgresQueueStore store = store(TestSpools.spool(db, "a"));
        Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
        QueueId first = enqueue(store, t0);
        QueueId second = enqueue(store, t0.plusSeconds(1));
        QueueId third = enqueue(store, t0.plusSeconds(2));
        damage(first, Damage.HISTORY);

        assertThat(store.leaseDue(t0.plusSeconds(10), 2)).extracting(StoredMessage::id)
                .containsExactly(second, third);
        assertThat(reasonOf(first)).asString().contains(Damage.HISTORY.reason);
        store.releaseLease(second);
        store.releaseLease(third);

        // Never leased again, and invisible to load() and update(): only quarantined() shows it.
        assertThat(store.leaseDue(t0.plusSeconds(10), 10)).extracting(StoredMessage::id)
                .containsExactlyInAnyOrder(second, third);
        assertThat(db.queryOne("SELECT lease_owner FROM queue_message WHERE id = '" + first.value() + "'")).isNull();
        assertThat(store.load(first)).isEmpty();
        assertThat(store.update(first, StoredMessage::state)).isEmpty();
        assertThat(store.quarantined(first)).hasValueSatisfying(v -> assertThat(v.quarantine().since()).isNotNull());
        assertThat(store.size()).isEqualTo(3);
        assertThat(store.quarantinedCount()).isEqualTo(1);
    }

    @Test
    void aBatchLeaseSetsAsideMessagesWhoseContentDoesNotAddUpAndLeasesOthersInTheirPlace() throws Exception {
        PostgresQueueStore store = store(TestSpools.spool(db, "a"));
        Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
        QueueId shortened = enqueue(store, t0);
        QueueId chunkGone = enqueue(store, t0.plusSeconds(1), TestMessages.content(4, THREE_CHUNKS), "bob@example.net");
        QueueId fine = enqueue(store, t0.plusSeconds(2));
        QueueId next = enqueue(store, t0.plusSeconds(3));
        QueueId last = enqueue(store, t0.plusSeconds(4));
        // A single small chunk (the kind read along with the lease) one byte short of the message's size.
        db.execute("UPDATE queue_content SET data = substring(data FROM 2) WHERE message_id = ?", shortened.value());
        damage(chunkGone, Damage.CONTENT_CHUNK);

        assertThat(store.leaseDue(t0.plusSeconds(10), 3)).extracting(StoredMessage::id)
                .containsExactlyInAnyOrder(fine, next, last);
        assertThat(reasonOf(shortened)).asString().contains("queue_content holds 1 chunks");
        assertThat(reasonOf(chunkGone)).asString().contains(Damage.CONTENT_CHUNK.reason);
        assertThat(db.queryOne("SELECT count(*) FROM queue_message WHERE lease_owner IS NOT NULL")).isEqualTo(3L);
    }

    @Test
    void aMessageThatBreaksWhileQueuedIsQuarantinedByWhicheverReadFindsIt() throws Exception {
        PostgresQueueStore store = store(TestSpools.spool(db, "a"));
        Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
        QueueId shown = enqueue(store, t0);
        QueueId updated = enqueue(store, t0);
        QueueId read = enqueue(store, t0, TestMessages.content(9, THREE_CHUNKS), "bob@example.net");
        QueueId reported = enqueue(store, t0, TestMessages.content(9, THREE_CHUNKS), "bob@example.net");
        assertThat(store.leaseDue(t0, 10)).hasSize(4);
        damage(shown, Damage.ENVELOPE);
        damage(updated, Damage.HISTORY);
        damage(read, Damage.CONTENT_CHUNK);
        damage(reported, Damage.CONTENT_CHUNK);

        assertThat(store.load(shown)).isEmpty();
        assertThat(store.update(updated, StoredMessage::state)).isEmpty();
        assertThatThrownBy(() -> store.content(read)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("quarantined");
        // The content read for a DSN under the state update's row lock: quarantined once that update rolled back.
        assertThat(store.update(reported, m -> {
            store.content(reported);
            return m.state();
        })).isEmpty();

        assertThat(reasonOf(shown)).asString().contains(Damage.ENVELOPE.reason);
        assertThat(reasonOf(updated)).asString().contains(Damage.HISTORY.reason);
        assertThat(reasonOf(read)).asString().contains(Damage.CONTENT_CHUNK.reason);
        assertThat(reasonOf(reported)).asString().contains(Damage.CONTENT_CHUNK.reason);
        // Their leases went with them: nobody holds a message nobody can deliver.
        assertThat(db.queryOne("SELECT count(*) FROM queue_message WHERE lease_owner IS NOT NULL")).isEqualTo(0L);
    }

    @Test
    void nothingDeletesAQuarantinedMessageButAnOperator() throws Exception {
        PostgresQueueStore store = store(TestSpools.spool(db, "a"));
        Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
        QueueId id = enqueue(store, t0);
        damage(id, Damage.HISTORY);
        assertThat(store.leaseDue(t0, 10)).isEmpty();
        // Looks finished (nothing due): the sweep of finished messages, run by every start-up, must leave it.
        db.execute("UPDATE queue_message SET next_due = NULL WHERE id = ?", id.value());

        PostgresQueueStore restarted = store(TestSpools.spool(db, "b"));
        assertThat(restarted.quarantined(id)).isPresent();
        assertThat(restarted.remove(id)).isTrue();
        assertThat(restarted.quarantined(id)).isEmpty();
        assertThat(restarted.size()).isZero();
    }

    @Test
    void aDatabaseErrorQuarantinesNothing() throws Exception {
        Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
        try (TcpProxy proxy = new TcpProxy(db.host(), db.port())) {
            PostgresQueueStore store = store(TestSpools.spool(db, "flaky", db.urlVia(proxy.port())));
            QueueId id = enqueue(store, t0, TestMessages.content(3, THREE_CHUNKS), "bob@example.net");

            proxy.down();
            assertThat(store.leaseDue(t0, 10)).isEmpty();
            assertThatThrownBy(() -> store.load(id)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> store.content(id)).isInstanceOf(UncheckedIOException.class)
                    .hasMessageNotContaining("quarantined");
            assertThatThrownBy(() -> store.update(id, StoredMessage::state)).isInstanceOf(IOException.class);

            proxy.up();
            assertThat(db.queryOne("SELECT count(*) FROM queue_message WHERE quarantined_at IS NOT NULL"))
                    .isEqualTo(0L);
            List<StoredMessage> leased = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> leased.addAll(store.leaseDue(t0, 10)));
            assertThat(leased).extracting(StoredMessage::id).containsExactly(id);
            try (InputStream in = store.content(id).open()) {
                assertThat(in.readAllBytes()).isEqualTo(TestMessages.content(3, THREE_CHUNKS));
            }
        }
    }
}
