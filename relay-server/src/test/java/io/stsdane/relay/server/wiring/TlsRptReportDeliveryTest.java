package io.stsdane.relay.server.wiring;

import static io.stsdane.relay.tlsrpt.testing.Sessions.failed;
import static io.stsdane.relay.tlsrpt.testing.Sessions.sts;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.testing.CapturingIntake;
import io.stsdane.relay.core.testing.InMemoryContent;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsPolicySource;
import io.stsdane.relay.core.tls.Verification;
import io.stsdane.relay.smtp.outbound.DeliveryEngine;
import io.stsdane.relay.smtp.outbound.DeliveryOptions;
import io.stsdane.relay.smtp.outbound.SmtpTimeouts;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import io.stsdane.relay.testkit.time.MutableClock;
import io.stsdane.relay.tlsrpt.TlsRpt;
import io.stsdane.relay.core.testing.HttpClients;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 8460 §5.3.1 from report generation to the wire: the report the relay builds for a domain whose MTA-STS
 * policy its MX fails reaches that MX through the real delivery engine, while ordinary mail under the same policy
 * waits.
 */
class TlsRptReportDeliveryTest {

    private static final Instant DAY = Instant.parse("2026-11-27T00:00:00Z");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(DAY.plus(Duration.ofHours(10)));
    private final CapturingIntake intake = new CapturingIntake();
    private TestSmtpServer mx;
    private TlsRpt tlsRpt;
    private DeliveryEngine engine;

    @AfterEach
    void tearDown() {
        if (engine != null) {
            engine.close();
        }
        if (tlsRpt != null) {
            tlsRpt.close();
        }
        if (mx != null) {
            mx.close();
        }
    }

    @Test
    void theReportReachesTheDomainWhoseEnforcedPolicyItsMxFails() throws Exception {
        // The MX presents a certificate for another name: MTA-STS enforce fails for every message.
        mx = TestSmtpServer.start(InetAddress.getByName("127.0.0.1"), SmtpBehavior.builder()
                .startTls(TestCertificate.builder().dnsNames("evil.test").build().serverContext()).build());
        InMemoryDnsResolver dns = new InMemoryDnsResolver()
                .txt("_smtp._tls.example.com", "v=TLSRPTv1; rua=mailto:tlsrpt@example.com")
                .mx("example.com", DnsSecurity.INSECURE, new MxRecord(10, "mx1.example.com"))
                .address("mx1.example.com", DnsSecurity.INSECURE, InetAddress.getByName("127.0.0.1"));
        tlsRpt = TlsRpt.builder().directory(dir).resolver(dns).httpClient(HttpClients.resolvingThrough(dns)).intake(intake)
                .organization("Relay Operator").contact("mailto:postmaster@relay.example.net")
                .submitterDomain("relay.example.net").from("tlsrpt@relay.example.net")
                .sendingMtaIp("198.51.100.7").clock(clock).build();
        TlsPolicySource enforced = r -> CompletableFuture.completedFuture(new PolicyDecision.Apply(new TlsPolicy(
                TlsLevel.VERIFY, PolicyOrigin.MTA_STS, r.policyDomain(), r.mxHost(),
                chain -> Verification.failed(TlsFailure.CERTIFICATE_HOST_MISMATCH, "not mx1.example.com"),
                "mta-sts enforce: mx mx1.example.com")));
        engine = new DeliveryEngine(DeliveryOptions.builder("relay.example.net").port(mx.port())
                .connectTimeout(Duration.ofSeconds(5)).timeouts(SmtpTimeouts.uniform(Duration.ofSeconds(10)))
                .deniedNetworks(List.of()) // the test MX listens on loopback
                .build(), dns, List.of(enforced), tlsRpt.reporter(), null);

        tlsRpt.reporter().record(failed(sts("example.com"), "mx1.example.com",
                TlsFailure.CERTIFICATE_HOST_MISMATCH));
        clock.set(DAY.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(10)));
        tlsRpt.runDailyReports();
        CapturingIntake.Accepted report = intake.accepted().get(0);

        assertThat(deliver(report.envelope(), report.content())).singleElement()
                .extracting(RecipientOutcome::kind).isEqualTo(RecipientOutcome.Kind.DELIVERED);
        assertThat(mx.transactions()).singleElement().satisfies(t -> {
            assertThat(t.tls()).isTrue();
            assertThat(new String(t.data(), StandardCharsets.US_ASCII)).contains("TLS-Report-Domain: example.com");
        });

        Envelope ordinary = new Envelope("app@relay.example.net", report.envelope().recipients(), null, null,
                false, false, false, clock.instant(), "[127.0.0.1] app");
        assertThat(deliver(ordinary, report.content())).singleElement()
                .extracting(RecipientOutcome::status).isEqualTo("4.7.5");
        assertThat(mx.transactions()).hasSize(1);
    }

    private List<RecipientOutcome> deliver(Envelope env, byte[] content) throws Exception {
        DeliveryRequest req = new DeliveryRequest(intake.nextId(), env, "example.com", env.recipients(),
                InMemoryContent.of(content));
        return engine.deliver(req).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
}
