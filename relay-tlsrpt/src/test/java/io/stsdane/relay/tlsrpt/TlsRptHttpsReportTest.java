package io.stsdane.relay.tlsrpt;

import static io.stsdane.relay.tlsrpt.testing.Sessions.failed;
import static io.stsdane.relay.tlsrpt.testing.Sessions.ok;
import static io.stsdane.relay.tlsrpt.testing.Sessions.sts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.stsdane.relay.core.testing.CapturingIntake;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.time.MutableClock;
import io.stsdane.relay.core.testing.HttpClients;
import io.stsdane.relay.tlsrpt.testing.Rfc8460Report;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsRptHttpsReportTest {

    private static final Instant DAY = Instant.parse("2026-11-27T00:00:00Z");
    private static final String HOST = "reports.example.test";

    private static TestCertificate root;
    private static TestCertificate leaf;

    @TempDir
    Path dir;

    private final MockWebServer server = new MockWebServer();
    private final MutableClock clock = new MutableClock(DAY.plus(Duration.ofHours(9)));
    private final CapturingIntake intake = new CapturingIntake();
    private InMemoryDnsResolver dns;
    private String endpoint;
    private TlsRpt tlsRpt;

    @BeforeAll
    static void pki() {
        root = TestCertificate.builder().commonName("Test Web Root").ca().build();
        leaf = TestCertificate.builder().dnsNames(HOST).issuedBy(root).build();
    }

    @BeforeEach
    void setUp() throws Exception {
        server.useHttps(leaf.serverContext().getSocketFactory());
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        server.start(loopback, 0);
        endpoint = "https://" + HOST + ":" + server.getPort() + "/v1/tlsrpt";
        // The endpoint's name resolves only through the relay's resolver: proves OkHttp asks it.
        dns = new InMemoryDnsResolver().address(HOST, loopback)
                .txt("_smtp._tls.example.com", "v=TLSRPTv1; rua=" + endpoint);
        tlsRpt = build(root.trustManager());
    }

    private TlsRpt build(X509TrustManager trust) {
        return TlsRpt.builder().directory(dir).resolver(dns).httpClient(HttpClients.resolvingThrough(dns)).intake(intake)
                .organization("Relay Operator").contact("postmaster@relay.example.net")
                .submitterDomain("relay.example.net").trustManager(trust).clock(clock)
                .httpTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void tearDown() {
        tlsRpt.close();
        server.close();
    }

    private void countADayAndCloseIt() {
        tlsRpt.reporter().record(ok(sts("example.com"), "mx1.example.com"));
        tlsRpt.reporter().record(failed(sts("example.com"), "mx1.example.com", TlsFailure.STARTTLS_NOT_SUPPORTED));
        clock.set(DAY.plus(Duration.ofDays(1)).plus(Duration.ofHours(1)));
    }

    @Test
    void postsTheGzipReportWithTheTlsrptMediaType() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).build());
        countADayAndCloseIt();

        assertThat(tlsRpt.runDailyReports()).isEqualTo(new RunSummary(1, 1, 0, 0));

        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getUrl().encodedPath()).isEqualTo("/v1/tlsrpt");
        assertThat(request.getHeaders().get("Content-Type")).isEqualTo("application/tlsrpt+gzip");
        assertThat(request.getHandshake()).as("over TLS").isNotNull();
        JsonNode report = Rfc8460Report.parseValid(request.getBody().toByteArray());
        JsonNode policy = Rfc8460Report.policy(report, "sts", null);
        assertThat(policy.path("summary").path("total-successful-session-count").asLong()).isEqualTo(1);
        assertThat(policy.path("summary").path("total-failure-session-count").asLong()).isEqualTo(1);
        assertThat(policy.path("failure-details").path(0).path("result-type").asText())
                .isEqualTo("starttls-not-supported");
        assertThat(policy.path("failure-details").path(0).has("sending-mta-ip"))
                .as("omitted when the outbound address is not configured").isFalse();
    }

    @Test
    void aRedirectIsNotFollowedAndTheReportIsRetriedNextRun() throws Exception {
        server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "https://" + HOST + ":"
                + server.getPort() + "/elsewhere").build());
        countADayAndCloseIt();

        assertThat(tlsRpt.runDailyReports()).isEqualTo(new RunSummary(1, 0, 1, 1));
        assertThat(server.getRequestCount()).isEqualTo(1);

        server.enqueue(new MockResponse.Builder().code(200).build());
        clock.advance(Duration.ofHours(1));
        assertThat(tlsRpt.runDailyReports()).isEqualTo(new RunSummary(0, 1, 0, 0));
        server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(server.takeRequest(5, TimeUnit.SECONDS).getUrl().encodedPath()).isEqualTo("/v1/tlsrpt");
    }

    @Test
    void anEndpointWithAnUntrustedCertificateGetsNothing() {
        tlsRpt.close();
        TestCertificate otherRoot = TestCertificate.builder().commonName("Other Root").ca().build();
        tlsRpt = build(otherRoot.trustManager());
        countADayAndCloseIt();

        assertThat(tlsRpt.runDailyReports()).isEqualTo(new RunSummary(1, 0, 1, 1));
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void onlyTheDestinationThatFailedIsRetried() throws Exception {
        dns.txt("_smtp._tls.example.com", "v=TLSRPTv1; rua=mailto:tlsrpt@example.com," + endpoint);
        server.enqueue(new MockResponse.Builder().code(503).build());
        countADayAndCloseIt();

        assertThat(tlsRpt.runDailyReports()).isEqualTo(new RunSummary(1, 1, 1, 1));
        assertThat(intake.accepted()).hasSize(1);

        server.enqueue(new MockResponse.Builder().code(201).build());
        clock.advance(Duration.ofHours(1));
        assertThat(tlsRpt.runDailyReports()).isEqualTo(new RunSummary(0, 1, 0, 0));
        assertThat(intake.accepted()).as("the mail destination is not sent twice").hasSize(1);
        assertThat(server.getRequestCount()).isEqualTo(2);
    }
}
