package io.stsdane.relay.server.cluster;

import io.stsdane.relay.testkit.postgres.TestDatabase;
import static io.stsdane.relay.server.cluster.ClusterRig.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stsdane.relay.server.crash.RelayProcess;
import io.stsdane.relay.server.e2e.RunningRelay;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole relay nodes, wired as {@code relay run} wires them, sharing one PostgreSQL queue (docs/cluster.md):
 * every message is delivered exactly once, and the messages a node held when it was killed ({@code kill -9} of
 * its own JVM) are delivered by another node once their leases lapse. The destination is GreenMail as the MX
 * of {@code example.test}, found over the signed DNS fixture.
 */
class RelayClusterTest {

    /** {@code spool.postgres.lease}: the shortest allowed, so the takeover test waits seconds, not minutes. */
    private static final Duration LEASE = Duration.ofSeconds(10);

    /** A schema of its own ({@code spool.postgres.schema}), dropped before and after each test. */
    @RegisterExtension
    final TestDatabase db = new TestDatabase();
    @TempDir
    Path dir;

    private ClusterRig rig;

    @BeforeEach
    void rig() throws Exception {
        rig = new ClusterRig(dir, NodeDatabase.of(db), LEASE, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws Exception {
        rig.close();
    }

    @Test
    void threeNodesDeliverEveryMessageExactlyOnce() throws Exception {
        rig.startDestination();
        List<RunningRelay> nodes = List.of(rig.node("a"), rig.node("b"), rig.node("c"));
        int n = 60;

        for (int i = 0; i < n; i++) {
            assertThat(submit(nodes.get(i % nodes.size()).smtpPort(), "m" + i)).startsWith("250");
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(rig.arrivals()).hasSize(n));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(queued()).isZero());
        assertThat(rig.arrivals()).isEqualTo(ids(n));
    }

    @Test
    void messagesLeasedByAKilledNodeAreDeliveredByAnotherAfterTheLeaseLapses() throws Exception {
        int n = 5;
        RelayProcess killed;
        // An MX that takes connections but never greets: the first node's deliveries hang, their leases held.
        try (ServerSocket silentMx = new ServerSocket()) {
            silentMx.setReuseAddress(true);
            silentMx.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), rig.mxPort()), 50);
            int smtp = RunningRelay.freePort();
            Path nodeDir = Files.createDirectories(dir.resolve("killed"));
            Path config = Files.writeString(nodeDir.resolve("relay.yaml"),
                    RunningRelay.baseYaml(smtp, "", nodeDir.resolve("spool"), rig.spoolYaml(nodeDir),
                            RunningRelay.freePort()) + rig.extraYaml());
            killed = RelayProcess.start(config, smtp, nodeDir.resolve("relay.log"));
            rig.closeLater(killed::destroy);

            for (int i = 0; i < n; i++) {
                assertThat(submit(smtp, "m" + i)).startsWith("250");
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    db.count("SELECT count(*) FROM queue_message WHERE lease_until > clock_timestamp()"))
                    .as("messages the first node is delivering").isPositive());
            killed.kill9();
        }
        long leasedAtKill = db.count("SELECT count(*) FROM queue_message WHERE lease_until > clock_timestamp()");
        assertThat(leasedAtKill).as("messages still leased by the killed node").isPositive();
        String deadOwner = db.string("SELECT min(lease_owner) FROM queue_message WHERE lease_until > clock_timestamp()");
        rig.startDestination();
        rig.node("survivor");

        // A lease outlives its node: while the dead node's lease on a message runs, no other node may deliver it.
        // The leases lapse one by one (each at its own time), and a lapsed lease of a dead node never runs again:
        // so the messages that arrived before a reading are among those not leased by the dead node at it.
        while (true) {
            int arrived = rig.arrivals().size();
            long stillLeased = db.count("SELECT count(*) FROM queue_message WHERE lease_owner = '" + deadOwner
                    + "' AND lease_until > clock_timestamp()");
            if (stillLeased == 0) {
                break;
            }
            assertThat((long) arrived).as("deliveries of messages whose lease by the dead node runs")
                    .isLessThanOrEqualTo(n - stillLeased);
            Thread.sleep(100);
        }
        await().atMost(LEASE.plusSeconds(40)).untilAsserted(() -> assertThat(rig.arrivals()).hasSize(n));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(queued()).isZero());
        assertThat(rig.arrivals()).isEqualTo(ids(n));
    }

    private long queued() throws Exception {
        return db.count("SELECT count(*) FROM queue_message");
    }

    private static Map<String, Integer> ids(int n) {
        return IntStream.range(0, n).mapToObj(i -> "m" + i)
                .collect(Collectors.toMap(Function.identity(), id -> 1, (x, y) -> x, TreeMap::new));
    }
}
