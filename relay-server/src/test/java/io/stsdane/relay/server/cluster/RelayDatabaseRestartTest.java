package io.stsdane.relay.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.server.cluster.Submissions.Attempt;
import io.stsdane.relay.server.cluster.Submissions.Phase;
import io.stsdane.relay.server.e2e.RunningRelay;
import io.stsdane.relay.testkit.postgres.PostgresServer;
import io.stsdane.relay.testkit.smtp.DataGate;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue's database restarted under load (docs/cluster.md, "When something fails"): two whole relay nodes
 * share a PostgreSQL server of the test's own ({@link PostgresServer}: the shared test database must never be
 * stopped), clients submit to both all along, and the server is stopped as by a crash ({@code pg_ctl stop -m
 * immediate}) and started again. While it is down every submission gets {@code 451 4.3.0} and both nodes report
 * not ready; once it is back both accept again without a restart, and every message that got 250 reaches the
 * destination.
 */
class RelayDatabaseRestartTest {

    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final String SCHEMA = "relay_restart";

    @TempDir
    Path dir;

    private PostgresServer pg;
    private ClusterRig rig;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        pg = PostgresServer.create();
        rig = new ClusterRig(dir, new NodeDatabase(pg.jdbcUrl(), PostgresServer.USER, "trust", SCHEMA),
                LEASE, CONNECT_TIMEOUT);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (rig != null) {
                rig.close();
            }
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
    }

    @Test
    void nodesAnswer451WhileTheDatabaseIsDownAndRecoverWithoutLosingAnAcceptedMessage() throws Exception {
        rig.startDestination();
        List<RunningRelay> nodes = List.of(rig.node("a"), rig.node("b"));
        Submissions load = Submissions.start(nodes.stream().map(RunningRelay::smtpPort).toList(), 4);
        rig.closeLater(load);

        await().atMost(Duration.ofSeconds(60)).until(() -> everyNode(nodes, load, Phase.UP, 5)
                && rig.arrivalOrder().size() >= 10);
        // Deliveries whose results a crash can keep from being written are those finishing around the stop; a
        // message that arrived well before it had its results written long before (one short transaction).
        int arrivedLongBeforeStop = rig.arrivalOrder().size();
        Thread.sleep(1000);
        long leasedAtStop = count("SELECT count(*) FROM queue_message WHERE lease_until > clock_timestamp()");
        load.phase(Phase.STOPPING);
        pg.stop();
        load.phase(Phase.DOWN);

        for (RunningRelay node : nodes) {
            assertThat(ready(node)).as("/health/ready of a node whose database is down").isEqualTo(503);
        }
        // Long enough for several refusals on each node and for every lease to lapse on the database clock.
        long downSince = System.nanoTime();
        await().atMost(Duration.ofSeconds(90)).until(() -> everyNode(nodes, load, Phase.DOWN, 3)
                && System.nanoTime() - downSince > LEASE.plusSeconds(2).toNanos());
        load.phase(Phase.STARTING);
        pg.start();
        load.phase(Phase.RECOVERED);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (RunningRelay node : nodes) {
                assertThat(ready(node)).as("/health/ready once the database is back").isEqualTo(200);
            }
            assertThat(everyNode(nodes, load, Phase.RECOVERED, 3)).as("250s from both nodes again").isTrue();
        });
        int arrivedWhenRecovered = rig.arrivalOrder().size();
        load.close();

        List<Attempt> attempts = load.attempts();
        Set<String> acknowledged = attempts.stream().filter(Attempt::accepted).map(Attempt::id)
                .collect(Collectors.toSet());
        List<Attempt> outage = attempts.stream().filter(Attempt::duringOutage).toList();
        assertThat(outage).as("submissions while the database was down").isNotEmpty()
                .allSatisfy(a -> assertThat(a.reply()).startsWith("451").contains("4.3.0"));
        // A hung session would end with a read timeout; anything else than 250 or 451 is a broken promise.
        assertThat(attempts).as("every submission ends with 250 or 451")
                .allSatisfy(a -> assertThat(a.reply()).matches("(?s)(250|451) .*"));

        await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> assertThat(rig.arrivals().keySet())
                .as("every message that got 250 arrives").containsAll(acknowledged));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                count("SELECT count(*) FROM queue_message")).as("messages left in the queue").isZero());

        Map<String, Integer> arrivals = rig.arrivals();
        // A 451 whose COMMIT went through just before the crash may still be delivered: only submissions that
        // were running when the database stopped may arrive without a 250.
        Set<String> inFlightAtStop = attempts.stream()
                .filter(a -> a.began().compareTo(Phase.DOWN) < 0 && a.ended().compareTo(Phase.STOPPING) >= 0)
                .map(Attempt::id).collect(Collectors.toSet());
        Set<String> unexpected = new HashSet<>(arrivals.keySet());
        unexpected.removeAll(acknowledged);
        unexpected.removeAll(inFlightAtStop);
        assertThat(unexpected).as("arrivals that no 250 (or interrupted submission) accounts for").isEmpty();

        // At least once: results a node could not write while the database was down are kept, but the outage
        // outlasts the lease, so another node may take such a message first and send it again. Only a message
        // delivered around the outage may arrive twice.
        List<String> order = rig.arrivalOrder();
        Set<String> aroundTheOutage = new HashSet<>(order.subList(arrivedLongBeforeStop, arrivedWhenRecovered));
        Set<String> duplicated = arrivals.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
        assertThat(duplicated).as("messages delivered twice").isSubsetOf(aroundTheOutage);
        assertThat(arrivals.values()).as("copies of one message")
                .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2));

        System.err.printf("RelayDatabaseRestartTest: %d submissions, %d got 250 (%d after the restart), %d got 451"
                        + " (%d of them while the database was down); %d messages leased at the stop; %d arrivals,"
                        + " %d messages delivered twice: %s%n",
                attempts.size(), acknowledged.size(),
                attempts.stream().filter(a -> a.began() == Phase.RECOVERED && a.accepted()).count(),
                attempts.stream().filter(a -> a.reply().startsWith("451")).count(), outage.size(), leasedAtStop,
                order.size(), duplicated.size(), duplicated);
    }

    @Test
    void aDeliveryTheMxAcceptedWhileTheDatabaseWasDownIsRecordedOnceItIsBackAndNotSentAgain() throws Exception {
        // The MX stops reading in the middle of the body: the delivery is in flight, past its last database read.
        DataGate gate = new DataGate(10);
        try (TestSmtpServer mx = TestSmtpServer.start(InetAddress.getLoopbackAddress(), rig.mxPort(),
                SmtpBehavior.builder().dataGate(gate).build())) {
            RunningRelay node = rig.node("a");
            assertThat(ClusterRig.submit(node.smtpPort(), "accepted-during-outage")).startsWith("250");
            assertThat(gate.awaitPaused(Duration.ofSeconds(60))).as("delivery reached the MX").isTrue();

            pg.stop();
            gate.release();
            assertThat(mx.awaitTransactions(1, Duration.ofSeconds(30))).as("the MX took the message").isTrue();
            pg.start();

            // Had the node dropped the result it could not write, the message would stay queued and go out again.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    count("SELECT count(*) FROM queue_message")).as("messages left in the queue").isZero());
            assertThat(mx.transactions()).as("deliveries to the MX").hasSize(1);
        }
    }

    /**
     * Whether each node has had {@code atLeast} submissions that began and ended in {@code phase} with the reply
     * expected then: 451 while the database is down, 250 otherwise.
     */
    private static boolean everyNode(List<RunningRelay> nodes, Submissions load, Phase phase, int atLeast) {
        String expected = phase == Phase.DOWN ? "451" : "250";
        return IntStream.range(0, nodes.size()).allMatch(node -> load.count(a -> a.node() == node
                && a.began() == phase && a.ended() == phase && a.reply().startsWith(expected)) >= atLeast);
    }

    private int ready(RunningRelay node) throws Exception {
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + "/health/ready"))
                .timeout(Duration.ofSeconds(30)).build();
        return http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /**
     * Awaitility that ignores exceptions other threads throw: GreenMail's session thread throws when the relay
     * aborts a transfer whose content it could no longer read from the stopped database, as it must.
     */
    private static ConditionFactory await() {
        return Awaitility.await().dontCatchUncaughtExceptions();
    }

    private long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), PostgresServer.USER, "");
                Statement s = c.createStatement()) {
            c.setSchema(SCHEMA);
            try (ResultSet r = s.executeQuery(sql)) {
                r.next();
                return r.getLong(1);
            }
        }
    }
}
