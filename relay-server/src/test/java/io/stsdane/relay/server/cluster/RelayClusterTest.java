package io.stsdane.relay.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.stsdane.relay.server.crash.RelayProcess;
import io.stsdane.relay.server.e2e.RunningRelay;
import io.stsdane.relay.server.e2e.SmtpSubmission;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole relay nodes, wired as {@code relay run} wires them, sharing one PostgreSQL queue (docs/cluster.md):
 * every message is delivered exactly once, and the messages a node held when it was killed ({@code kill -9} of
 * its own JVM) are delivered by another node once their leases lapse. The destination is GreenMail as the MX
 * of {@code example.test}, found over the signed DNS fixture. Skipped without RELAY_TEST_POSTGRES_URL.
 */
class RelayClusterTest {

    private static final String RECIPIENT = "cluster@example.test";
    /** {@code spool.postgres.lease}: the shortest allowed, so the takeover test waits seconds, not minutes. */
    private static final Duration LEASE = Duration.ofSeconds(10);

    /** A schema of its own ({@code spool.postgres.schema}), dropped before and after each test. */
    @RegisterExtension
    final TestDatabase db = new TestDatabase();
    @TempDir
    Path dir;

    private final DnsTestServer dns = DnsTestServer.start();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final int mxPort;
    private final GreenMail destination;

    RelayClusterTest() throws IOException {
        dns.root().child("test").child("example.test")
                .mx("example.test", 10, "mx.example.test")
                .a("mx.example.test", "127.0.0.1");
        mxPort = RunningRelay.freePort();
        destination = new GreenMail(new ServerSetup(mxPort, "127.0.0.1", "smtp"));
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        if (destination.isRunning()) {
            destination.stop();
        }
        dns.close();
    }

    @Test
    void twoNodesDeliverEveryMessageExactlyOnce() throws Exception {
        destination.start();
        RunningRelay a = node("a");
        RunningRelay b = node("b");
        int n = 40;

        for (int i = 0; i < n; i++) {
            assertThat(submit((i % 2 == 0 ? a : b).smtpPort(), "m" + i)).startsWith("250");
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(arrivals()).hasSize(n));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(queued()).isZero());
        assertThat(arrivals()).isEqualTo(ids(n));
    }

    @Test
    void messagesLeasedByAKilledNodeAreDeliveredByAnotherAfterTheLeaseLapses() throws Exception {
        int n = 5;
        RelayProcess killed;
        // An MX that takes connections but never greets: the first node's deliveries hang, their leases held.
        try (ServerSocket silentMx = new ServerSocket()) {
            silentMx.setReuseAddress(true);
            silentMx.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), mxPort), 50);
            int smtp = RunningRelay.freePort();
            Path nodeDir = Files.createDirectories(dir.resolve("killed"));
            Path config = Files.writeString(nodeDir.resolve("relay.yaml"),
                    RunningRelay.baseYaml(smtp, "", nodeDir.resolve("spool"), spoolYaml(nodeDir),
                            RunningRelay.freePort()) + extraYaml());
            killed = RelayProcess.start(config, smtp, nodeDir.resolve("relay.log"));
            closing.add(killed::destroy);

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
        destination.start();
        node("survivor");

        // A lease outlives its node: while the dead node's leases run, no other node may deliver those messages.
        // (Arrivals are read before the leases are checked, so every reading below was taken while they ran.)
        while (true) {
            int arrived = arrivals().size();
            if (db.count("SELECT count(*) FROM queue_message WHERE lease_owner = '" + deadOwner
                    + "' AND lease_until > clock_timestamp()") == 0) {
                break;
            }
            assertThat(arrived).as("deliveries while the dead node's leases run").isLessThanOrEqualTo(
                    (int) (n - leasedAtKill));
            Thread.sleep(100);
        }
        await().atMost(LEASE.plusSeconds(40)).untilAsserted(() -> assertThat(arrivals()).hasSize(n));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(queued()).isZero());
        assertThat(arrivals()).isEqualTo(ids(n));
    }

    /** An in-process relay node with its own spool.dir and the shared queue in PostgreSQL. */
    private RunningRelay node(String name) throws Exception {
        Path nodeDir = Files.createDirectories(dir.resolve(name));
        RunningRelay relay = RunningRelay.start(nodeDir, "", spoolYaml(nodeDir), extraYaml());
        closing.add(relay);
        return relay;
    }

    private String spoolYaml(Path nodeDir) throws IOException {
        Path password = Files.writeString(nodeDir.resolve("postgres.password"), db.password + "\n");
        return """
                  backend: postgres
                  postgres:
                    url: %s
                    user: %s
                    password-file: %s
                    pool-size: 4
                    schema: %s
                    lease: %ds
                """.formatted(db.url, db.user, password, db.schema, LEASE.toSeconds());
    }

    private String extraYaml() {
        return RunningRelay.signedDnsDeliveryYaml(dns.address().getPort(), dns.trustAnchorFile(dir), mxPort);
    }

    private long queued() throws Exception {
        return db.count("SELECT count(*) FROM queue_message");
    }

    private static String submit(int port, String id) throws IOException {
        return SmtpSubmission.send(port, "app@sender.test", List.of(RECIPIENT),
                "From: app@sender.test\r\nTo: " + RECIPIENT + "\r\nSubject: cluster " + id + "\r\n"
                        + "Message-ID: <" + id + "@sender.test>\r\nX-Test-Id: " + id + "\r\n\r\nbody of " + id
                        + "\r\n");
    }

    /** How many times each {@code X-Test-Id} arrived at the destination MX. */
    private Map<String, Integer> arrivals() throws MessagingException {
        Map<String, Integer> counts = new TreeMap<>();
        for (MimeMessage m : destination.getReceivedMessages()) {
            String[] id = m.getHeader("X-Test-Id");
            counts.merge(id == null ? "<none>" : id[0], 1, Integer::sum);
        }
        return counts;
    }

    private static Map<String, Integer> ids(int n) {
        return IntStream.range(0, n).mapToObj(i -> "m" + i)
                .collect(Collectors.toMap(Function.identity(), id -> 1, (x, y) -> x, TreeMap::new));
    }
}
