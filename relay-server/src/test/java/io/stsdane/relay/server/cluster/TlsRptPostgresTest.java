package io.stsdane.relay.server.cluster;

import static io.stsdane.relay.tlsrpt.testing.Sessions.failed;
import static io.stsdane.relay.tlsrpt.testing.Sessions.ok;
import static io.stsdane.relay.tlsrpt.testing.Sessions.sts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.stsdane.relay.core.testing.CapturingIntake;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.queue.PostgresSpool;
import io.stsdane.relay.testkit.postgres.TestDatabase;
import io.stsdane.relay.tlsrpt.RunSummary;
import io.stsdane.relay.tlsrpt.TlsRpt;
import io.stsdane.relay.core.testing.HttpClients;
import io.stsdane.relay.tlsrpt.testing.Rfc8460Report;
import io.stsdane.relay.testkit.time.MutableClock;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two relay nodes sharing TLS-RPT counters and reports in one PostgreSQL schema: one report for the day, with
 * both nodes' sessions, built by one node only, stored in the database and delivered once by whichever node is
 * alive; old bookkeeping purged.
 */
class TlsRptPostgresTest {

    private static final Instant DAY = Instant.parse("2026-11-27T00:00:00Z");
    private static final Instant CLOSED = DAY.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(10));

    @TempDir
    Path dir;

    @RegisterExtension
    final TestDatabase db = new TestDatabase();
    private final MutableClock clock = new MutableClock(DAY.plus(Duration.ofHours(10)));
    private final InMemoryDnsResolver dns = new InMemoryDnsResolver()
            .txt("_smtp._tls.example.com", "v=TLSRPTv1; rua=mailto:tlsrpt@reports.example.com");
    private final CapturingIntake intakeA = new CapturingIntake();
    private final CapturingIntake intakeB = new CapturingIntake();
    private TlsRpt nodeA;
    private TlsRpt nodeB;

    @BeforeEach
    void setUp() {
        nodeA = node("a", intakeA);
        nodeB = node("b", intakeB);
    }

    private TlsRpt node(String name, CapturingIntake intake) {
        PostgresSpool spool = NodeDatabase.of(db).spool(name);
        return TlsRpt.builder().directory(dir.resolve(name)).resolver(dns).httpClient(HttpClients.resolvingThrough(dns))
                .intake(intake).organization("Relay Operator").contact("mailto:postmaster@relay.example.net")
                .submitterDomain("relay.example.net").clock(clock)
                .sharedStore((counters, c, sendTime) -> new PostgresTlsRptCounters(spool, counters, c, sendTime))
                .build();
    }

    @AfterEach
    void tearDown() throws Exception {
        nodeA.close();
        nodeB.close();
    }

    @Test
    void oneReportWithBothNodesCountsIsBuiltByOneNodeOnly() throws Exception {
        TlsPolicy policy = sts("example.com");
        for (int i = 0; i < 3; i++) {
            nodeA.reporter().record(ok(policy, "mx1.example.com"));
        }
        nodeA.saveSnapshot(); // a periodic save, then more sessions: only the difference is added next time
        nodeA.reporter().record(ok(policy, "mx1.example.com"));
        nodeA.reporter().record(failed(policy, "mx2.example.com", TlsFailure.CERTIFICATE_EXPIRED));
        nodeB.reporter().record(ok(policy, "mx1.example.com"));
        nodeB.reporter().record(ok(policy, "mx1.example.com"));
        nodeB.reporter().record(failed(policy, "mx2.example.com", TlsFailure.CERTIFICATE_EXPIRED));
        nodeB.saveSnapshot();

        clock.set(CLOSED);
        RunSummary first = nodeA.runDailyReports();
        RunSummary second = nodeB.runDailyReports();
        RunSummary again = nodeA.runDailyReports();

        assertThat(first).isEqualTo(new RunSummary(1, 1, 0, 0));
        assertThat(second).as("the other node builds nothing").isEqualTo(new RunSummary(0, 0, 0, 0));
        assertThat(again).isEqualTo(new RunSummary(0, 0, 0, 0));
        assertThat(intakeB.accepted()).isEmpty();
        assertThat(intakeA.accepted()).hasSize(1);

        JsonNode summary = summary(intakeA.accepted().get(0));
        assertThat(summary.path("total-successful-session-count").asLong()).isEqualTo(6);
        assertThat(summary.path("total-failure-session-count").asLong()).isEqualTo(2);
    }

    @Test
    void aClaimIsGivenBackWhenTheReportPolicyCannotBeLookedUpYet() {
        nodeA.reporter().record(ok(sts("broken.example"), "mx1.broken.example"));
        dns.failing("_smtp._tls.broken.example", "SERVFAIL");
        clock.set(CLOSED);

        assertThat(nodeA.runDailyReports().reportsBuilt()).isZero();
        dns.healed("_smtp._tls.broken.example").txt("_smtp._tls.broken.example",
                "v=TLSRPTv1; rua=mailto:tlsrpt@reports.example.com");

        assertThat(nodeB.runDailyReports().reportsBuilt()).as("node B may take it over at once").isEqualTo(1);
        assertThat(intakeB.accepted()).hasSize(1);
    }

    @Test
    void aReportStoredByANodeThatDiesBeforeDeliveringItIsDeliveredOnceByAnother() throws Exception {
        CompletableFuture<Boolean> death = new CompletableFuture<>();
        CompletableFuture<RunSummary> runA = nodeAStallsHandingOverTheReport(death);
        assertThat(db.count("SELECT count(*) FROM tlsrpt_sent WHERE sent_at IS NOT NULL AND report IS NOT NULL"))
                .as("stored in the database with sent_at, before any hand-over").isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM tlsrpt_counter")).as("counts deleted with it").isZero();

        assertThat(nodeB.runDailyReports()).as("node A's lease runs: B leaves it alone")
                .isEqualTo(new RunSummary(0, 0, 0, 0));
        expireLeases();
        assertThat(nodeB.runDailyReports()).isEqualTo(new RunSummary(0, 1, 0, 0));
        assertThat(nodeB.runDailyReports()).isEqualTo(new RunSummary(0, 0, 0, 0));

        death.complete(false); // node A's process ends: what it was handing over never reached its queue
        assertThat(runA.get(30, TimeUnit.SECONDS).reportsBuilt()).isEqualTo(1);
        nodeA.close();
        CapturingIntake restartedIntake = new CapturingIntake();
        nodeA = node("a", restartedIntake);
        assertThat(nodeA.runDailyReports()).as("node A back: nothing to build or send")
                .isEqualTo(new RunSummary(0, 0, 0, 0));

        assertThat(intakeA.accepted()).isEmpty();
        assertThat(restartedIntake.accepted()).isEmpty();
        assertThat(intakeB.accepted()).hasSize(1);
        assertThat(summary(intakeB.accepted().get(0)).path("total-successful-session-count").asLong())
                .as("both nodes' sessions").isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM tlsrpt_delivery WHERE outcome = 'delivered' AND attempts = 2"))
                .isEqualTo(1);
    }

    @Test
    void aNodeThatStallsPastItsLeaseMaySendACopyThatCarriesTheSameReportId() throws Exception {
        CompletableFuture<Boolean> wakeUp = new CompletableFuture<>();
        CompletableFuture<RunSummary> runA = nodeAStallsHandingOverTheReport(wakeUp);
        expireLeases();
        assertThat(nodeB.runDailyReports().deliveries()).isEqualTo(1);

        wakeUp.complete(true); // node A finishes the hand-over it started before its lease ran out
        assertThat(runA.get(30, TimeUnit.SECONDS).deliveries()).isEqualTo(1);

        MimeMessage copyA = Rfc8460Report.mail(intakeA.accepted().get(0));
        MimeMessage copyB = Rfc8460Report.mail(intakeB.accepted().get(0));
        assertThat(Rfc8460Report.attachedTo(copyA).path("report-id"))
                .as("RFC 8460 report-id: the receiver can discard the copy")
                .isEqualTo(Rfc8460Report.attachedTo(copyB).path("report-id"));
        assertThat(copyA.getMessageID()).isEqualTo(copyB.getMessageID());
        assertThat(copyA.getSubject()).isEqualTo(copyB.getSubject());
        assertThat(nodeA.runDailyReports().deliveries()).isZero();
        assertThat(nodeB.runDailyReports().deliveries()).isZero();
    }

    @Test
    void aDeliveryTheDatabaseCouldNotRecordIsNotSentAgainByTheNodeThatMadeIt() throws Exception {
        CompletableFuture<Boolean> handOver = new CompletableFuture<>();
        CompletableFuture<RunSummary> runA = nodeAStallsHandingOverTheReport(handOver);
        // From now on the database refuses to record any outcome, as if it had gone away after the hand-over.
        db.execute("ALTER TABLE tlsrpt_delivery ADD CONSTRAINT refuse_outcomes CHECK (done_at IS NULL) NOT VALID");
        handOver.complete(true);
        assertThat(runA.get(30, TimeUnit.SECONDS).deliveries()).isEqualTo(1);
        expireLeases();

        assertThat(nodeA.runDailyReports().deliveries()).as("node A remembers it handed it over").isZero();
        db.execute("ALTER TABLE tlsrpt_delivery DROP CONSTRAINT refuse_outcomes");
        assertThat(nodeA.runDailyReports().deliveries()).isZero();
        assertThat(nodeB.runDailyReports().deliveries()).as("recorded at node A's next run").isZero();

        assertThat(intakeA.accepted()).hasSize(1);
        assertThat(intakeB.accepted()).isEmpty();
        assertThat(db.count("SELECT count(*) FROM tlsrpt_delivery WHERE outcome = 'delivered'")).isEqualTo(1);
    }

    @Test
    void aNodeWhoseClaimWasTakenOverWhileItBuiltStoresNothing() throws Exception {
        nodeA.reporter().record(ok(sts("example.com"), "mx1.example.com"));
        CompletableFuture<Void> answer = new CompletableFuture<>();
        dns.holdNextTxt("_smtp._tls.example.com", answer);
        clock.set(CLOSED);
        CompletableFuture<RunSummary> runA = CompletableFuture.supplyAsync(nodeA::runDailyReports);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions() // the tables appear with node A's first save
                .until(() -> db.count("SELECT count(*) FROM tlsrpt_sent WHERE sent_at IS NULL") == 1);

        db.execute("UPDATE tlsrpt_sent SET claimed_at = claimed_at - interval '2 hours'"); // node A looks dead
        assertThat(nodeB.runDailyReports()).isEqualTo(new RunSummary(1, 1, 0, 0));
        answer.complete(null); // node A was only slow: it builds the report too, but may not store it

        assertThat(runA.get(30, TimeUnit.SECONDS)).isEqualTo(new RunSummary(0, 0, 0, 0));
        assertThat(intakeA.accepted()).isEmpty();
        assertThat(intakeB.accepted()).hasSize(1);
        assertThat(db.count("SELECT count(*) FROM tlsrpt_delivery")).isEqualTo(1);
    }

    @Test
    void bookkeepingOlderThanTheRetentionIsPurgedByAnyNode() throws Exception {
        nodeA.reporter().record(ok(sts("example.com"), "mx1.example.com"));
        clock.set(CLOSED);
        assertThat(nodeA.runDailyReports().deliveries()).isEqualTo(1);
        clock.set(DAY.plus(Duration.ofDays(29)));
        nodeB.reporter().record(ok(sts("example.com"), "mx1.example.com")); // a later day, within retention
        clock.set(DAY.plus(Duration.ofDays(30)).plus(Duration.ofMinutes(10)));
        assertThat(nodeB.runDailyReports().deliveries()).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM tlsrpt_sent")).isEqualTo(2);

        clock.set(DAY.plus(Duration.ofDays(31)).plus(Duration.ofMinutes(10)));
        nodeA.runDailyReports();

        assertThat(db.count("SELECT count(*) FROM tlsrpt_sent WHERE report_day = DATE '2026-11-27'"))
                .as("30 days old: purged").isZero();
        assertThat(db.count("SELECT count(*) FROM tlsrpt_delivery WHERE report_day = DATE '2026-11-27'")).isZero();
        assertThat(db.count("SELECT count(*) FROM tlsrpt_sent")).as("the newer day stays").isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM tlsrpt_delivery")).isEqualTo(1);
    }

    @Test
    void countsANodeSavesAfterTheRetentionAreNeverReported() throws Exception {
        nodeB.reporter().record(ok(sts("example.com"), "mx1.example.com")); // B is cut off for a month
        clock.set(DAY.plus(Duration.ofDays(31)).plus(Duration.ofMinutes(10)));

        assertThat(nodeB.runDailyReports()).isEqualTo(new RunSummary(0, 0, 0, 0));
        assertThat(nodeA.runDailyReports()).isEqualTo(new RunSummary(0, 0, 0, 0));
        assertThat(intakeB.accepted()).isEmpty();
        assertThat(db.count("SELECT count(*) FROM tlsrpt_counter")).isZero();
    }

    @Test
    void aReportAnEarlierVersionLeftInTheNodesPendingDirectoryIsStillDelivered() throws Exception {
        // As written before reports lived in the database (no submitter field); the report is "{}" gzipped.
        Files.writeString(dir.resolve("a/pending/2026-11-27_example.com.json"), """
                {"uniqueId":"20261127abcdef0123456789","reportId":"20261127abcdef0123456789@relay.example.net",
                 "policyDomain":"example.com","day":"2026-11-27","destinations":["mailto:tlsrpt@reports.example.com"],
                 "gzip":"H4sIAAAAAAAA/6uuBQBDv6ajAgAAAA=="}""");

        assertThat(nodeA.runDailyReports()).isEqualTo(new RunSummary(0, 1, 0, 0));
        assertThat(nodeA.runDailyReports()).isEqualTo(new RunSummary(0, 0, 0, 0));

        assertThat(Rfc8460Report.mail(intakeA.accepted().get(0)).getSubject())
                .isEqualTo("Report Domain: example.com Submitter: relay.example.net"
                        + " Report-ID: <20261127abcdef0123456789@relay.example.net>");
        assertThat(dir.resolve("a/pending/2026-11-27_example.com.json")).doesNotExist();
    }

    @Test
    void aDestinationThatFailedIsTriedByNoNodeBeforeItsNextAttempt() throws Exception {
        nodeA.reporter().record(ok(sts("example.com"), "mx1.example.com"));
        intakeA.full(true);
        clock.set(CLOSED);
        assertThat(nodeA.runDailyReports()).isEqualTo(new RunSummary(1, 0, 1, 1));
        assertThat(delivery()).isEqualTo(new Delivery(1, CLOSED.plus(Duration.ofMinutes(30)), null));

        assertThat(nodeB.runDailyReports()).as("node A just failed with it: node B waits too")
                .isEqualTo(new RunSummary(0, 0, 0, 0));
        clock.set(CLOSED.plus(Duration.ofMinutes(29)));
        assertThat(nodeB.runDailyReports()).isEqualTo(new RunSummary(0, 0, 0, 0));
        assertThat(intakeB.accepted()).isEmpty();

        Instant secondFailure = CLOSED.plus(Duration.ofMinutes(30));
        intakeB.full(true);
        clock.set(secondFailure);
        assertThat(nodeB.runDailyReports()).as("due: any node tries it").isEqualTo(new RunSummary(0, 0, 1, 1));
        assertThat(delivery()).as("twice as long after the second failure")
                .isEqualTo(new Delivery(2, secondFailure.plus(Duration.ofHours(1)), null));

        intakeA.full(false);
        intakeB.full(false);
        clock.set(secondFailure.plus(Duration.ofMinutes(59)));
        assertThat(nodeA.runDailyReports()).isEqualTo(new RunSummary(0, 0, 0, 0));
        assertThat(nodeB.runDailyReports()).isEqualTo(new RunSummary(0, 0, 0, 0));
        clock.set(secondFailure.plus(Duration.ofHours(1)));
        assertThat(nodeA.runDailyReports()).isEqualTo(new RunSummary(0, 1, 0, 0));
        assertThat(nodeB.runDailyReports()).isEqualTo(new RunSummary(0, 0, 0, 0));
        assertThat(nodeA.runDailyReports()).isEqualTo(new RunSummary(0, 0, 0, 0));

        assertThat(intakeA.accepted()).as("delivered exactly once").hasSize(1);
        assertThat(intakeB.accepted()).isEmpty();
        assertThat(delivery().attempts()).isEqualTo(3);
        assertThat(delivery().outcome()).isEqualTo("delivered");
    }

    @Test
    void theWaitDoublesUpToEightHoursAndTheDestinationIsGivenUpThreeDaysAfterTheDay() throws Exception {
        nodeA.reporter().record(ok(sts("example.com"), "mx1.example.com"));
        intakeA.full(true);
        intakeB.full(true);
        clock.set(CLOSED);
        assertThat(nodeA.runDailyReports().failures()).isEqualTo(1);

        List<Duration> waits = new ArrayList<>();
        Instant failedAt = CLOSED;
        Delivery row = delivery();
        TlsRpt[] nodes = {nodeA, nodeB};
        for (int attempts = 1; row.outcome() == null && attempts < 40; attempts++) {
            TlsRpt node = nodes[attempts % 2]; // the nodes take turns
            waits.add(Duration.between(failedAt, row.nextAttempt()));
            clock.set(row.nextAttempt().minusSeconds(1));
            assertThat(node.runDailyReports().failures()).as("a second early: not tried").isZero();
            assertThat(delivery().attempts()).isEqualTo(attempts);
            failedAt = row.nextAttempt();
            clock.set(failedAt);
            assertThat(node.runDailyReports().failures()).isEqualTo(1);
            row = delivery();
            assertThat(row.attempts()).isEqualTo(attempts + 1);
        }

        Instant giveUpAt = Instant.parse("2026-11-30T23:59:59Z"); // the end of the reported day and 3 days
        assertThat(row.outcome()).isEqualTo("gave-up");
        assertThat(failedAt).as("the last wait is cut short: one last attempt when the report is given up")
                .isEqualTo(giveUpAt);
        assertThat(waits.subList(0, 5)).containsExactly(Duration.ofMinutes(30), Duration.ofHours(1),
                Duration.ofHours(2), Duration.ofHours(4), Duration.ofHours(8));
        assertThat(waits.subList(5, waits.size() - 1)).as("capped").isNotEmpty()
                .allMatch(Duration.ofHours(8)::equals);
        assertThat(waits.get(waits.size() - 1)).isLessThan(Duration.ofHours(8));
        assertThat(nodeA.runDailyReports()).isEqualTo(new RunSummary(0, 0, 0, 0));
        assertThat(intakeA.accepted()).isEmpty();
        assertThat(intakeB.accepted()).isEmpty();
    }

    /** The one row of {@code tlsrpt_delivery}. */
    private record Delivery(int attempts, Instant nextAttempt, String outcome) {
    }

    private Delivery delivery() throws SQLException {
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
                Statement s = c.createStatement()) {
            c.setSchema(db.schema());
            try (ResultSet rs = s.executeQuery("SELECT attempts, next_attempt, outcome FROM tlsrpt_delivery")) {
                assertThat(rs.next()).isTrue();
                OffsetDateTime next = rs.getObject(2, OffsetDateTime.class);
                Delivery d = new Delivery(rs.getInt(1), next == null ? null : next.toInstant(), rs.getString(3));
                assertThat(rs.next()).as("one destination").isFalse();
                return d;
            }
        }
    }

    /**
     * Both nodes count a session of DAY and save; node A's report run builds and stores the report, leases its
     * one destination and stalls in the hand-over to its queue until {@code gate} completes.
     */
    private CompletableFuture<RunSummary> nodeAStallsHandingOverTheReport(CompletableFuture<Boolean> gate) {
        nodeA.reporter().record(ok(sts("example.com"), "mx1.example.com"));
        nodeB.reporter().record(ok(sts("example.com"), "mx1.example.com"));
        nodeB.saveSnapshot();
        intakeA.stallUntil(gate);
        clock.set(CLOSED);
        CompletableFuture<RunSummary> run = CompletableFuture.supplyAsync(nodeA::runDailyReports);
        await().atMost(Duration.ofSeconds(30)).until(intakeA::stalled);
        return run;
    }

    /** As if {@code spool.postgres.lease} had passed since each lease was taken. */
    private void expireLeases() throws SQLException {
        db.execute("UPDATE tlsrpt_delivery SET lease_until = clock_timestamp() - interval '1 second'"
                + " WHERE lease_until IS NOT NULL");
    }

    private static JsonNode summary(CapturingIntake.Accepted mail) {
        return Rfc8460Report.policy(Rfc8460Report.attachedTo(Rfc8460Report.mail(mail)), "sts", null).path("summary");
    }
}
