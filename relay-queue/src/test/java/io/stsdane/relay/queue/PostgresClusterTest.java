package io.stsdane.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.internal.PostgresQueueStore;
import io.stsdane.relay.testkit.postgres.TestDatabase;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Several relay nodes (whole {@link MessageQueue}s) sharing one PostgreSQL queue: exactly-once delivery between live
 * nodes, and a database outage answered with 451 and survived.
 */
class PostgresClusterTest {

    private final List<MessageQueue> nodes = new ArrayList<>();
    @RegisterExtension
    final TestDatabase db = new TestDatabase();

    @AfterEach
    void cleanUp() throws Exception {
        nodes.forEach(MessageQueue::close);
    }

    private MessageQueue node(PostgresSpool spool, CountingAgent agent) throws Exception {
        MessageQueue q = MessageQueue.builder().postgres(spool).hostname(spool.nodeName() + ".test").deliveryAgent(agent)
                .concurrency(4).pollInterval(Duration.ofMillis(100)).build();
        nodes.add(q);
        q.start();
        return q;
    }

    private static QueueId accept(MessageIntake intake, int n) throws IntakeException {
        QueueId id = intake.nextId();
        intake.accept(id, TestMessages.envelope("alice@example.org", Instant.now(),
                        TestMessages.rcpt("bob" + n + "@example.net"), TestMessages.rcpt("carol@example.com")),
                new ByteArrayInputStream(TestMessages.bytes(TestMessages.text("message " + n))));
        return id;
    }

    @Test
    void threeNodesDeliverEveryMessageExactlyOnce() throws Exception {
        Map<QueueId, AtomicInteger> counts = CountingAgent.newCounts();
        List<CountingAgent> agents = List.of(new CountingAgent(counts), new CountingAgent(counts),
                new CountingAgent(counts));
        List<MessageQueue> queues = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            queues.add(node(TestSpools.spool(db, "node" + i), agents.get(i)));
        }
        List<QueueId> accepted = new ArrayList<>();
        for (int n = 0; n < 150; n++) {
            accepted.add(accept(queues.get(n % 3).intake(), n));
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> db.queryOne("SELECT count(*) FROM queue_message")
                .equals(0L));

        // Two domains per message: one delivery request per (message, domain), each exactly once.
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(accepted);
        assertThat(counts.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(2));
        assertThat(agents.stream().mapToInt(CountingAgent::delivered).sum()).isEqualTo(300);
    }

    @Test
    void aSuspensionMadeThroughOneNodeHoldsOnEveryNode() throws Exception {
        Map<QueueId, AtomicInteger> counts = CountingAgent.newCounts();
        MessageQueue a = node(TestSpools.spool(db, "a"), new CountingAgent(counts));
        CountingAgent agentB = new CountingAgent(counts);
        MessageQueue b = node(TestSpools.spool(db, "b"), agentB);
        a.admin().suspend(new DomainSuspension("example.net", null));
        await().atMost(Duration.ofSeconds(20)).until(() -> !b.admin().suspensions().isEmpty());
        a.close();
        nodes.remove(a);

        QueueId id = b.intake().nextId();
        b.intake().accept(id, TestMessages.envelope("alice@example.org", Instant.now(),
                        TestMessages.rcpt("bob@example.net")),
                new ByteArrayInputStream(TestMessages.bytes(TestMessages.text("suspended"))));
        await().atMost(Duration.ofSeconds(20)).until(() -> b.admin().show(id).orElseThrow().recipients().get(0)
                .nextAttempt().isAfter(Instant.now().plusSeconds(30)));
        assertThat(agentB.delivered()).isZero();

        assertThat(b.admin().resume("example.net")).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> b.admin().show(id).isEmpty());
        assertThat(counts.get(id).get()).isEqualTo(1);
    }

    @Test
    void mailFromAsksTheDatabaseOnlyAfterAFailedRoundTripWhileReadinessAlwaysAsks() throws Exception {
        try (TcpProxy proxy = new TcpProxy(db.host(), db.port());
                PostgresQueueStore store = new PostgresQueueStore(
                        TestSpools.spool(db, "probe", db.urlVia(proxy.port())))) {
            store.recover();
            store.checkCapacity(); // nothing answered yet: asks, and is answered
            store.enqueue(new QueueId("probe-1"), TestMessages.envelope("alice@example.org", Instant.now(),
                    TestMessages.rcpt("bob@example.net")), new ByteArrayInputStream(TestMessages.bytes("x")));

            proxy.down();
            // The intake was answered and nothing failed since: MAIL FROM goes by that (no scheduler runs here).
            store.checkCapacity();
            assertThatThrownBy(store::checkReady).as("readiness asks the database itself")
                    .isInstanceOfSatisfying(IntakeException.class, e -> assertThat(e.code()).isEqualTo(451));
            assertThatThrownBy(store::checkCapacity).as("MAIL FROM after a failed round trip")
                    .isInstanceOfSatisfying(IntakeException.class, e -> assertThat(e.code()).isEqualTo(451));

            proxy.up();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(store::checkCapacity);
            store.checkReady();
        }
    }

    @Test
    void databaseOutageIsAnswered451AndNoAcceptedMessageIsLost() throws Exception {
        Map<QueueId, AtomicInteger> counts = CountingAgent.newCounts();
        CountDownLatch remoteServersAnswer = new CountDownLatch(1);
        try (TcpProxy proxy = new TcpProxy(db.host(), db.port())) {
            MessageQueue viaProxy = node(TestSpools.spool(db, "flaky", db.urlVia(proxy.port())),
                    new CountingAgent(counts, remoteServersAnswer));
            List<QueueId> accepted = new ArrayList<>();
            for (int n = 0; n < 10; n++) {
                accepted.add(accept(viaProxy.intake(), n));
            }
            // Deliveries are in flight when the database goes (two messages of two domains fill the four
            // slots): their results cannot be written.
            await().atMost(Duration.ofSeconds(30)).until(() -> db.queryOne(
                    "SELECT count(*) FROM queue_message WHERE lease_owner IS NOT NULL").equals(2L));

            proxy.down();
            remoteServersAnswer.countDown();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThatThrownBy(() -> accept(viaProxy.intake(), 99))
                            .isInstanceOfSatisfying(IntakeException.class, e -> {
                                assertThat(e.code()).isEqualTo(451);
                                assertThat(e.enhancedStatus()).isEqualTo("4.3.0");
                            }));
            assertThatThrownBy(() -> viaProxy.intake().checkCapacity()).isInstanceOf(IntakeException.class);

            proxy.up();
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> accepted.add(
                    accept(viaProxy.intake(), 100)));
            for (int n = 101; n < 110; n++) {
                accepted.add(accept(viaProxy.intake(), n));
            }

            // The results of the deliveries cut by the outage are kept and written once the database is back.
            await().atMost(Duration.ofSeconds(180)).until(() -> db.queryOne("SELECT count(*) FROM queue_message")
                    .equals(0L));
            // Every accepted message went out (those cut off mid-delivery maybe twice: at least once), and the
            // refused ones never reached the queue.
            assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(accepted);
        }
    }
}
