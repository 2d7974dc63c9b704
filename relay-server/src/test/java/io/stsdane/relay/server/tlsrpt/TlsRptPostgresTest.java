package io.stsdane.relay.server.tlsrpt;

import static io.stsdane.relay.server.tlsrpt.Sessions.failed;
import static io.stsdane.relay.server.tlsrpt.Sessions.ok;
import static io.stsdane.relay.server.tlsrpt.Sessions.sts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stsdane.relay.core.testing.CapturingIntake;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.queue.PostgresSpool;
import io.stsdane.relay.testkit.time.MutableClock;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two relay nodes sharing TLS-RPT counters in one PostgreSQL schema ({@code RELAY_TEST_POSTGRES_URL}; skipped,
 * visibly, without it): one report for the day, with both nodes' sessions, built by one node only.
 */
class TlsRptPostgresTest {

    private static final Instant DAY = Instant.parse("2026-11-27T00:00:00Z");
    private static final String URL = System.getenv("RELAY_TEST_POSTGRES_URL");
    private static final String USER = envOr("RELAY_TEST_POSTGRES_USER", "relay_test");
    private static final String PASSWORD = envOr("RELAY_TEST_POSTGRES_PASSWORD", "");

    @TempDir
    Path dir;

    private final String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    private final MutableClock clock = new MutableClock(DAY.plus(Duration.ofHours(10)));
    private final InMemoryDnsResolver dns = new InMemoryDnsResolver()
            .txt("_smtp._tls.example.com", "v=TLSRPTv1; rua=mailto:tlsrpt@reports.example.com");
    private final CapturingIntake intakeA = new CapturingIntake();
    private final CapturingIntake intakeB = new CapturingIntake();
    private TlsRpt nodeA;
    private TlsRpt nodeB;

    @BeforeEach
    void setUp() {
        if (URL == null || URL.isBlank()) {
            System.err.println("*** SKIPPING TlsRptPostgresTest: set RELAY_TEST_POSTGRES_URL (and _USER, _PASSWORD)");
        }
        assumeTrue(URL != null && !URL.isBlank(), "PostgreSQL not available: set RELAY_TEST_POSTGRES_URL");
        nodeA = node("a", intakeA);
        nodeB = node("b", intakeB);
    }

    private TlsRpt node(String name, CapturingIntake intake) {
        PostgresSpool spool = PostgresSpool.of(URL, USER, PASSWORD).withSchema(schema)
                .withConnectTimeout(Duration.ofSeconds(2)).withNodeName(name);
        return TlsRpt.builder().directory(dir.resolve(name)).resolver(dns).intake(intake)
                .organization("Relay Operator").contact("mailto:postmaster@relay.example.net")
                .submitterDomain("relay.example.net").clock(clock).shared(spool).build();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (nodeA != null) {
            nodeA.close();
            nodeB.close();
            try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
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

        clock.set(DAY.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(10)));
        RunSummary first = nodeA.runDailyReports();
        RunSummary second = nodeB.runDailyReports();
        RunSummary again = nodeA.runDailyReports();

        assertThat(first).isEqualTo(new RunSummary(1, 1, 0, 0));
        assertThat(second).as("the other node builds nothing").isEqualTo(new RunSummary(0, 0, 0, 0));
        assertThat(again).isEqualTo(new RunSummary(0, 0, 0, 0));
        assertThat(intakeB.accepted()).isEmpty();
        assertThat(intakeA.accepted()).hasSize(1);

        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(intakeA.accepted().get(0).content()));
        byte[] gz = ((MimeMultipart) message.getContent()).getBodyPart(1).getInputStream().readAllBytes();
        JsonNode summary = Rfc8460Report.policy(Rfc8460Report.parseValid(gz), "sts", null).path("summary");
        assertThat(summary.path("total-successful-session-count").asLong()).isEqualTo(6);
        assertThat(summary.path("total-failure-session-count").asLong()).isEqualTo(2);
    }

    @Test
    void aClaimIsGivenBackWhenTheReportPolicyCannotBeLookedUpYet() {
        nodeA.reporter().record(ok(sts("broken.example"), "mx1.broken.example"));
        dns.failing("_smtp._tls.broken.example", "SERVFAIL");
        clock.set(DAY.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(10)));

        assertThat(nodeA.runDailyReports().reportsBuilt()).isZero();
        dns.healed("_smtp._tls.broken.example").txt("_smtp._tls.broken.example",
                "v=TLSRPTv1; rua=mailto:tlsrpt@reports.example.com");

        assertThat(nodeB.runDailyReports().reportsBuilt()).as("node B may take it over at once").isEqualTo(1);
        assertThat(intakeB.accepted()).hasSize(1);
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null ? fallback : v;
    }
}
