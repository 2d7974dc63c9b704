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
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The PostgreSQL store against a real database. */
class PostgresQueueStoreTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    /** Bytes in the TOAST table of queue_content: values moved out of their rows. */
    private static final String TOAST_BYTES =
            "SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE oid = 'queue_content'::regclass";

    private final QueueIds ids = new QueueIds(java.time.Clock.systemUTC());
    private final List<PostgresQueueStore> stores = new ArrayList<>();
    @RegisterExtension
    final TestDatabase db = new TestDatabase();

    @AfterEach
    void cleanUp() throws Exception {
        stores.forEach(PostgresQueueStore::close);
    }

    private PostgresQueueStore store(String node) throws IOException {
        return store(node, TestSpools.spool(db, node).leaseDuration());
    }

    private PostgresQueueStore store(String node, Duration lease) throws IOException {
        PostgresQueueStore s = new PostgresQueueStore(TestSpools.spool(db, node).withLeaseDuration(lease));
        stores.add(s);
        s.recover();
        return s;
    }

    private static Envelope envelope(String... rcpts) {
        return TestMessages.envelope("alice@example.org", T0,
                java.util.Arrays.stream(rcpts).map(TestMessages::rcpt).toArray(io.stsdane.relay.core.queue.Recipient[]::new));
    }

    @Test
    void messageRoundTripsEnvelopeStateAndContentSpanningSeveralChunks() throws Exception {
        PostgresQueueStore store = store("a");
        QueueId id = ids.get();
        byte[] body = TestMessages.content(7, 2 * PgContent.CHUNK + 12345);
        Envelope env = envelope("bob@example.net", "carol@example.com");

        store.enqueue(id, env, new ByteArrayInputStream(body));

        StoredMessage m = store.load(id).orElseThrow();
        assertThat(m.envelope()).isEqualTo(env);
        assertThat(m.size()).isEqualTo(body.length);
        assertThat(m.state()).isEqualTo(MessageState.initial(2, T0));
        try (InputStream in = store.content(id).open()) {
            assertThat(in.readAllBytes()).isEqualTo(body);
        }
        assertThat(db.queryOne("SELECT count(*) FROM queue_content")).isEqualTo(3L);

        Attempt attempt = new Attempt(T0.plusSeconds(60), io.stsdane.relay.core.delivery.RecipientOutcome.Kind.DEFERRED,
                "4.2.0", "451 try later", "mx.example.net");
        MessageState next = m.state().withHeld(true).withRecipient(0, m.state().recipients().get(0)
                .attempted(attempt, RecipientState.Status.PENDING, T0.plusSeconds(360), RecipientState.Report.NONE));
        assertThat(store.update(id, cur -> next)).contains(next);
        assertThat(store.load(id).orElseThrow().state()).isEqualTo(next);

        assertThat(store.remove(id)).isTrue();
        assertThat(store.load(id)).isEmpty();
        assertThat(store.remove(id)).isFalse();
        assertThat(db.queryOne("SELECT count(*) FROM queue_content")).isEqualTo(0L);
    }

    @Test
    void contentOfUpToAboutEightKilobytesStaysInItsRowAndLargerChunksGoOutOfLine() throws Exception {
        PostgresQueueStore store = store("a");
        QueueId small = ids.get();
        byte[] smallBody = TestMessages.content(3, 6 * 1024);
        store.enqueue(small, envelope("bob@example.net"), new ByteArrayInputStream(smallBody));
        // With the default target (about 2 KB) these 6 KiB went to the TOAST table as several pieces.
        assertThat(db.queryOne(TOAST_BYTES)).isEqualTo(0L);

        QueueId large = ids.get();
        byte[] largeBody = TestMessages.content(4, 20 * 1024);
        store.enqueue(large, envelope("bob@example.net"), new ByteArrayInputStream(largeBody));
        assertThat((Long) db.queryOne(TOAST_BYTES)).isPositive();
        for (QueueId id : List.of(small, large)) {
            try (InputStream in = store.content(id).open()) {
                assertThat(in.readAllBytes()).isEqualTo(id.equals(small) ? smallBody : largeBody);
            }
        }
    }

    @Test
    void aMessageDeletedWithSqlTakesItsRecipientsAndContentAlongAndNothingElse() throws Exception {
        PostgresQueueStore store = store("a");
        QueueId gone = ids.get();
        QueueId kept = ids.get();
        QueueId large = ids.get();
        store.enqueue(gone, envelope("bob@example.net", "carol@example.net"),
                new ByteArrayInputStream(TestMessages.bytes("x")));
        store.enqueue(kept, envelope("dave@example.net"), new ByteArrayInputStream(TestMessages.bytes("y")));
        store.enqueue(large, envelope("erin@example.net"),
                new ByteArrayInputStream(TestMessages.content(5, PgContent.CHUNK + 10)));

        // An operator's DELETE from a session whose search_path does not hold the queue's schema.
        db.execute("SET search_path = public; DELETE FROM " + db.schema() + ".queue_message WHERE id IN ('"
                + gone.value() + "', '" + large.value() + "')");

        assertThat(db.count("SELECT count(*) FROM queue_recipient WHERE message_id <> '" + kept.value() + "'"))
                .isZero();
        assertThat(db.count("SELECT count(*) FROM queue_content WHERE message_id <> '" + kept.value() + "'"))
                .isZero();
        assertThat(store.load(kept).orElseThrow().state().recipients()).hasSize(1);
        try (InputStream in = store.content(kept).open()) {
            assertThat(in.readAllBytes()).isEqualTo(TestMessages.bytes("y"));
        }
    }

    @Test
    void theQueuesConnectionsLookMessagesUpThroughIndexesWhateverTheStatisticsSay() throws Exception {
        PostgresQueueStore store = store("a");
        // Statistics of an empty table, the state in which a cached plan once chose to read all of it.
        db.execute("ANALYZE queue_recipient");
        String plan = store.database().inTransaction(c -> {
            try (var ps = c.prepareStatement("EXPLAIN SELECT * FROM queue_recipient WHERE message_id = ANY (?)")) {
                ps.setArray(1, c.createArrayOf("text", new String[] {"a", "b"}));
                return lines(ps.executeQuery());
            }
        });
        assertThat(plan).contains("Index Scan using queue_recipient_pkey").doesNotContain("Seq Scan")
                .doesNotContain("Bitmap");
    }

    @Test
    void theQueuesConnectionsPlanAStatementOnceNotOnEveryExecution() throws Exception {
        PostgresQueueStore store = store("a");
        // A generic plan keeps the parameter ($1); a custom plan, made anew for each execution, has its value.
        String plan = store.database().inTransaction(c -> {
            try (var st = c.createStatement()) {
                st.execute("PREPARE remove(text[]) AS DELETE FROM queue_message WHERE id = ANY ($1)");
                String explained = lines(st.executeQuery("EXPLAIN EXECUTE remove('{a,b}')"));
                st.execute("DEALLOCATE remove");
                return explained;
            }
        });
        assertThat(plan).contains("ANY ($1)").doesNotContain("{a,b}");
    }

    /** The first column of every row of {@code rs} (an EXPLAIN's plan), one per line; closes it. */
    private static String lines(java.sql.ResultSet rs) throws java.sql.SQLException {
        try (rs) {
            StringBuilder out = new StringBuilder();
            while (rs.next()) {
                out.append(rs.getString(1)).append('\n');
            }
            return out.toString();
        }
    }

    @Test
    void tlsReportFlagIsStoredAndRowsFromBeforeItExistedReadAsOrdinaryMail() throws Exception {
        PostgresQueueStore store = store("a");
        QueueId id = ids.get();
        Envelope env = envelope("tlsrpt@example.net");
        Envelope report = new Envelope(env.sender(), env.recipients(), null, null, false, false, false, T0,
                "tls-reporting", true);

        store.enqueue(id, report, new ByteArrayInputStream(TestMessages.bytes(TestMessages.text("report"))));
        assertThat(store.load(id).orElseThrow().envelope()).isEqualTo(report);

        // What a version without the flag wrote: the same jsonb without the key.
        assertThat(db.execute("UPDATE queue_message SET envelope = envelope - 'tlsReport' WHERE id = ?",
                id.value())).isEqualTo(1);
        assertThat(store.load(id).orElseThrow().envelope().tlsReport()).isFalse();
    }

    @Test
    void attemptPolicyAndTlsRoundTripAndHistoriesWrittenBeforeThemStillRead() throws Exception {
        PostgresQueueStore store = store("a");
        QueueId id = ids.get();
        store.enqueue(id, envelope("bob@example.net"),
                new ByteArrayInputStream(TestMessages.bytes(TestMessages.text("history"))));
        Attempt attempt = FileQueueStoreTest.daneMismatch(T0.plusSeconds(60));
        store.update(id, m -> m.state().withRecipient(0, m.state().recipients().get(0)
                .attempted(attempt, RecipientState.Status.PENDING, T0.plusSeconds(360), RecipientState.Report.NONE)));
        assertThat(store.load(id).orElseThrow().state().recipients().get(0).history()).containsExactly(attempt);

        // What a version without the field wrote: the same jsonb history without the key.
        assertThat(db.execute("UPDATE queue_recipient SET history = (SELECT jsonb_agg(e - 'security') "
                + "FROM jsonb_array_elements(history) e) WHERE message_id = ?", id.value())).isEqualTo(1);
        assertThat(store.load(id).orElseThrow().state().recipients().get(0).history()).containsExactly(
                new Attempt(attempt.at(), attempt.kind(), attempt.status(), attempt.diagnostic(), ""));
    }

    @Test
    void failedIntakeLeavesNothingAndAnswers451() throws Exception {
        PostgresQueueStore store = store("a");
        QueueId id = ids.get();
        // A client that goes away after more than one chunk: the first chunk is already in the table.
        InputStream broken = new java.io.SequenceInputStream(
                new ByteArrayInputStream(TestMessages.content(1, PgContent.CHUNK + 10)), new InputStream() {
                    @Override
                    public int read() throws IOException {
                        throw new IOException("client went away");
                    }
                });

        assertThatThrownBy(() -> store.enqueue(id, envelope("bob@example.net"), broken))
                .isInstanceOfSatisfying(IntakeException.class, e -> assertThat(e.code()).isEqualTo(451));

        assertThat(store.load(id)).isEmpty();
        assertThat(db.queryOne("SELECT count(*) FROM queue_content")).isEqualTo(0L);
    }

    @Test
    void twoNodesLeasingAtOnceNeverGetTheSameMessage() throws Exception {
        PostgresQueueStore a = store("a");
        PostgresQueueStore b = store("b");
        Set<QueueId> queued = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            QueueId id = ids.get();
            a.enqueue(id, envelope("bob@example.net"), new ByteArrayInputStream(TestMessages.bytes("m" + i)));
            queued.add(id);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<List<QueueId>>> takers = new ArrayList<>();
        for (PostgresQueueStore s : List.of(a, b, a, b)) {
            takers.add(pool.submit(() -> {
                List<QueueId> mine = new ArrayList<>();
                for (List<StoredMessage> got; !(got = s.leaseDue(T0.plusSeconds(1), 3)).isEmpty(); ) {
                    got.forEach(m -> mine.add(m.id()));
                }
                return mine;
            }));
        }
        List<QueueId> all = new ArrayList<>();
        for (Future<List<QueueId>> f : takers) {
            all.addAll(f.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();

        assertThat(all).doesNotHaveDuplicates();
        assertThat(new HashSet<>(all)).isEqualTo(queued);
    }

    @Test
    void aLiveNodeKeepsItsLeaseAndADeadNodesLeaseLapses() throws Exception {
        PostgresQueueStore a = store("a");
        PostgresQueueStore b = store("b");
        QueueId id = ids.get();
        a.enqueue(id, envelope("bob@example.net"), new ByteArrayInputStream(TestMessages.bytes("x")));
        assertThat(a.leaseDue(T0, 10)).extracting(StoredMessage::id).containsExactly(id);

        // Two lease durations (3 s) go by: a renews, so b finds nothing.
        await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8)).until(() -> true);
        assertThat(b.leaseDue(T0, 10)).isEmpty();
        assertThat(db.queryOne("SELECT lease_owner FROM queue_message")).isEqualTo(a.owner());

        a.close(); // stops renewing without releasing, as a crash would
        List<StoredMessage> taken = new ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).until(() -> taken.addAll(b.leaseDue(T0, 10)));
        assertThat(taken).extracting(StoredMessage::id).containsExactly(id);
        assertThat(db.queryOne("SELECT lease_owner FROM queue_message")).isEqualTo(b.owner());
    }

    @Test
    void aLeaseTransactionThatOutlastsItsLeaseHandsOutNothingAndAnotherNodeTakesEachMessageOnce() throws Exception {
        // A lease shorter than any transaction: what a process stalled inside its lease transaction (GC, a busy
        // machine) sees. Its leases lapse before they commit, so another node may take the messages at once.
        PostgresQueueStore stalled = store("a", Duration.ofNanos(1));
        PostgresQueueStore other = store("b", Duration.ofHours(1));
        Set<QueueId> queued = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            QueueId id = ids.get();
            stalled.enqueue(id, envelope("bob@example.net"), new ByteArrayInputStream(TestMessages.bytes("m" + i)));
            queued.add(id);
        }

        assertThat(stalled.leaseDue(T0.plusSeconds(1), 16)).isEmpty();
        assertThat(other.leaseDue(T0.plusSeconds(1), 16)).extracting(StoredMessage::id)
                .containsExactlyInAnyOrderElementsOf(queued);
    }

    @Test
    void aNodeNeverLeasesAgainAMessageItStillHoldsButAnotherNodeMayOnceTheLeaseLapsed() throws Exception {
        // Leases long enough that no renewal runs during the test: the lapse below stays as a late renewal left it.
        PostgresQueueStore a = store("a", Duration.ofHours(1));
        PostgresQueueStore b = store("b", Duration.ofHours(1));
        QueueId id = ids.get();
        a.enqueue(id, envelope("bob@example.net"), new ByteArrayInputStream(TestMessages.bytes("x")));
        assertThat(a.leaseDue(T0, 10)).extracting(StoredMessage::id).containsExactly(id);

        db.execute("UPDATE queue_message SET lease_until = clock_timestamp() - interval '1 second'");

        assertThat(a.leaseDue(T0, 10)).isEmpty();
        assertThat(b.leaseDue(T0, 10)).extracting(StoredMessage::id).containsExactly(id);
    }

    @Test
    void releasedLeaseIsFreeAtOnceAndHeldMessagesAreNotLeased() throws Exception {
        PostgresQueueStore a = store("a");
        PostgresQueueStore b = store("b");
        QueueId id = ids.get();
        a.enqueue(id, envelope("bob@example.net"), new ByteArrayInputStream(TestMessages.bytes("x")));
        assertThat(a.leaseDue(T0, 10)).hasSize(1);
        a.releaseLease(id);
        assertThat(b.leaseDue(T0, 10)).extracting(StoredMessage::id).containsExactly(id);
        b.releaseLease(id);

        b.update(id, cur -> cur.state().withHeld(true));
        assertThat(a.leaseDue(T0, 10)).isEmpty();
        assertThat(a.ids(10)).containsExactly(id);
        assertThat(a.size()).isEqualTo(1);
        assertThat(a.oldestReceived()).contains(T0);
    }

    @Test
    void aDsnQueuedDuringAStateUpdateCommitsOrRollsBackWithIt() throws Exception {
        PostgresQueueStore store = store("a");
        QueueId id = ids.get();
        store.enqueue(id, envelope("bob@example.net"), new ByteArrayInputStream(TestMessages.bytes("original")));
        QueueId dsn1 = ids.get();

        assertThatThrownBy(() -> store.update(id, cur -> {
            queueCopy(store, id, dsn1);
            throw new IOException("disk of the DSN writer failed");
        })).isInstanceOf(IOException.class).hasMessage("disk of the DSN writer failed");
        assertThat(store.load(dsn1)).isEmpty();

        QueueId dsn2 = ids.get();
        MessageState held = store.update(id, cur -> {
            queueCopy(store, id, dsn2);
            return cur.state().withHeld(true);
        }).orElseThrow();
        assertThat(held.held()).isTrue();
        try (InputStream in = store.content(dsn2).open()) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("original");
        }
    }

    @Test
    void aFinishedMessageWhoseRemovalFailedIsSweptAway() throws Exception {
        PostgresQueueStore store = store("a");
        QueueId id = ids.get();
        store.enqueue(id, envelope("bob@example.net"), new ByteArrayInputStream(TestMessages.bytes("x")));
        MessageState done = store.update(id, cur -> cur.state().mapRecipients(r -> r.withStatus(
                RecipientState.Status.DELIVERED, "2.0.0", "250 ok", RecipientState.Report.NONE))).orElseThrow();
        assertThat(done.isDone()).isTrue();

        // The scheduler's remove() never happened (database gone at that moment): the lease timer cleans up.
        await().atMost(Duration.ofSeconds(15)).until(() -> store.load(id).isEmpty());
    }

    /** What the scheduler does to queue a DSN: the original content streamed into a new message. */
    private static void queueCopy(PostgresQueueStore store, QueueId from, QueueId to) throws IOException {
        try (InputStream in = store.content(from).open()) {
            store.enqueue(to, envelope("alice@example.org"), in);
        } catch (IntakeException e) {
            throw new IOException(e);
        }
    }

    @Test
    void aBatchLeaseReturnsEveryLeasedMessageWithItsOwnRecipientsStateAndContent() throws Exception {
        PostgresQueueStore store = store("a");
        // Sizes around the ways content is stored and read: none, one small chunk read along with the lease,
        // one chunk too large for that, and several chunks.
        int[] sizes = {0, 1, 4096, 64 * 1024 + 1, PgContent.CHUNK, 2 * PgContent.CHUNK + 7};
        java.util.Map<QueueId, Envelope> envelopes = new java.util.LinkedHashMap<>();
        java.util.Map<QueueId, byte[]> bodies = new java.util.HashMap<>();
        for (int i = 0; i < sizes.length; i++) {
            QueueId id = ids.get();
            String[] rcpts = new String[i % 3 + 1];
            for (int r = 0; r < rcpts.length; r++) {
                rcpts[r] = "r" + r + "-" + i + "@example" + r + ".net";
            }
            Envelope env = TestMessages.envelope("alice@example.org", T0.plusSeconds(i),
                    java.util.Arrays.stream(rcpts).map(TestMessages::rcpt)
                            .toArray(io.stsdane.relay.core.queue.Recipient[]::new));
            bodies.put(id, TestMessages.content(i, sizes[i]));
            store.enqueue(id, env, new ByteArrayInputStream(bodies.get(id)));
            envelopes.put(id, env);
        }
        QueueId updated = envelopes.keySet().iterator().next();
        MessageState held = MessageState.initial(1, T0).withRecipient(0, MessageState.initial(1, T0).recipients()
                .get(0).attempted(new Attempt(T0, io.stsdane.relay.core.delivery.RecipientOutcome.Kind.DEFERRED,
                        "4.2.0", "451 later", "mx.example0.net"), RecipientState.Status.PENDING, T0.plusSeconds(1),
                        RecipientState.Report.NONE));
        store.update(updated, cur -> held);

        List<StoredMessage> leased = store.leaseDue(T0.plusSeconds(60), 16);

        assertThat(leased).extracting(StoredMessage::id).containsExactlyInAnyOrderElementsOf(envelopes.keySet());
        for (StoredMessage m : leased) {
            assertThat(m.envelope()).isEqualTo(envelopes.get(m.id()));
            assertThat(m.size()).isEqualTo(bodies.get(m.id()).length);
            assertThat(m.state()).isEqualTo(m.id().equals(updated) ? held
                    : MessageState.initial(m.envelope().recipients().size(), m.envelope().receivedAt()));
            assertThat(store.content(m.id()).size()).isEqualTo(m.size());
            try (InputStream in = store.content(m.id()).open()) {
                assertThat(in.readAllBytes()).isEqualTo(bodies.get(m.id()));
            }
        }
        assertThat(store.leaseDue(T0.plusSeconds(60), 16)).isEmpty();
    }

    @Test
    void contentOfAMessageRemovedWhileBeingReadFailsInsteadOfLookingComplete() throws Exception {
        PostgresQueueStore store = store("a");
        QueueId id = ids.get();
        store.enqueue(id, envelope("bob@example.net"),
                new ByteArrayInputStream(TestMessages.content(3, PgContent.CHUNK * 2)));
        try (InputStream in = store.content(id).open()) {
            in.readNBytes(PgContent.CHUNK);
            store.remove(id);
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("removed");
        }
    }
}
