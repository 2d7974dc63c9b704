package io.stsdane.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.testkit.postgres.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A relay node in its own JVM dies by {@code kill -9} in the middle of deliveries: while it lived, the other
 * node left its leased messages alone; once its leases lapsed, the other node delivered each of them once.
 */
class PostgresNodeCrashTest {

    private static final int MESSAGES = 8;
    private static final int LEASE_SECONDS = 3;
    /**
     * Bound on the steps that start a JVM or wait for a lease to lapse: a busy machine (the test is meant to pass
     * there too) took over a minute to start the child.
     */
    private static final Duration STEP = Duration.ofMinutes(3);

    @RegisterExtension
    final TestDatabase db = new TestDatabase();

    @Test
    void messagesLeasedByAKilledNodeAreDeliveredByAnotherAfterTheLeaseLapses() throws Exception {
        Map<QueueId, AtomicInteger> counts = CountingAgent.newCounts();
        CountingAgent survivorAgent = new CountingAgent(counts);
        try (ChildJvm doomed = new ChildJvm(ClusterNodeChild.class, List.of("-Xmx64m"), db.url(), db.user(),
                db.password(), db.schema(), String.valueOf(LEASE_SECONDS), String.valueOf(MESSAGES))) {
            await().atMost(STEP).until(() -> prefixed(doomed, "DELIVERING ").size() == MESSAGES);
            Set<String> acked = prefixed(doomed, "ACK ");
            assertThat(prefixed(doomed, "DELIVERING ")).isEqualTo(acked);

            // Its first connection may take more than the test spools' second on a busy machine.
            PostgresSpool spool = TestSpools.spool(db, "survivor").withConnectTimeout(STEP);
            try (MessageQueue survivor = MessageQueue.builder().postgres(spool).hostname("survivor.test")
                    .deliveryAgent(survivorAgent).pollInterval(Duration.ofMillis(100)).build()) {
                survivor.start();
                // Over two lease durations: the live node keeps renewing, the survivor must not touch them.
                await().pollDelay(Duration.ofSeconds(2L * LEASE_SECONDS + 1)).until(() -> true);
                assertThat(survivorAgent.delivered()).isZero();
                assertThat(doomed.lines()).filteredOn(l -> l.startsWith("DELIVERING ")).doesNotHaveDuplicates();
                assertThat(db.queryOne("SELECT count(*) FROM queue_message WHERE lease_owner LIKE 'doomed/%'"))
                        .isEqualTo((long) MESSAGES);

                doomed.kill();

                await().atMost(STEP).until(() -> db.queryOne(
                        "SELECT count(*) FROM queue_message").equals(0L));
                assertThat(counts.keySet()).extracting(QueueId::value).containsExactlyInAnyOrderElementsOf(acked);
                assertThat(counts.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
            }
        }
    }

    private static Set<String> prefixed(ChildJvm child, String prefix) {
        return child.lines().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .collect(Collectors.toSet());
    }
}
