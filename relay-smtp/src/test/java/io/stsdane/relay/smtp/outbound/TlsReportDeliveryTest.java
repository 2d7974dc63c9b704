package io.stsdane.relay.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.delivery.RecipientOutcome.Kind;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.net.HostPort;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.testing.InMemoryContent;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicySource;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.ReceivedTransaction;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 8460 §5.3.1: the relay's own TLS-RPT reports are delivered although the MTA-STS or DANE policy of the
 * report domain fails, while ordinary mail to the same host under the same policy still waits (4.7.5).
 */
class TlsReportDeliveryTest {

    private static final TestCertificate MX_CERT = TestCertificate.builder().dnsNames("mx1.example.test").build();
    private static final TestCertificate WRONG_NAME = TestCertificate.builder().dnsNames("evil.test").build();

    private final EngineFixture f = new EngineFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private static DeliveryRequest report() {
        Envelope env = new Envelope("tlsrpt@relay.origin.test", List.of(Recipient.of("tlsrpt@example.test")), null,
                null, false, false, false, Instant.now(), "tls-reporting", true);
        return Messages.request("example.test", env,
                InMemoryContent.ofText("Subject: Report Domain: example.test\r\nTLS-Required: No\r\n\r\nreport\r\n"));
    }

    private static DeliveryRequest ordinary() {
        return Messages.simple("example.test", "a@example.test");
    }

    private double attempts(String source, String outcome) {
        return f.meters.counter("relay.delivery.attempts", "source", source, "outcome", outcome).count();
    }

    @Test
    void reportIsDeliveredOverTlsDespiteAnEnforcedPolicyTheCertificateFails() {
        TestSmtpServer s = f.singleMx("mx1.example.test", SmtpBehavior.builder()
                .startTls(WRONG_NAME.serverContext()).build());
        TestPolicies.Recording mtaSts = TestPolicies.apply(TlsLevel.VERIFY, PolicyOrigin.MTA_STS,
                TestPolicies.pin(MX_CERT.certificate()));
        f.engine(List.of(mtaSts));

        assertThat(f.deliver(report())).singleElement().extracting(RecipientOutcome::kind)
                .isEqualTo(Kind.DELIVERED);
        assertThat(s.transactions()).singleElement().matches(ReceivedTransaction::tls);
        assertThat(mtaSts.requests).as("the report's policy is not asked for").isEmpty();
        assertThat(f.reports).as("a report's own delivery is not reported").isEmpty();
        assertThat(attempts("tlsrpt-report", "delivered")).isEqualTo(1.0);

        List<RecipientOutcome> out = f.deliver(ordinary());

        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DEFERRED);
            assertThat(o.status()).isEqualTo("4.7.5");
        });
        assertThat(s.transactions()).as("ordinary mail never reached the server").hasSize(1);
        assertThat(mtaSts.failedDestinations).containsExactly("example.test");
    }

    @Test
    void reportGoesInPlaintextWhenStartTlsIsMissingUnderDane() {
        TestSmtpServer s = f.singleMx("mx1.example.test", SmtpBehavior.plain());
        f.engine(List.of(TestPolicies.dane(MX_CERT.certificate())));

        assertThat(f.deliver(report())).singleElement().extracting(RecipientOutcome::kind)
                .isEqualTo(Kind.DELIVERED);
        assertThat(s.transactions()).singleElement().matches(t -> !t.tls());

        assertThat(f.deliver(ordinary())).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DEFERRED);
            assertThat(o.status()).isEqualTo("4.7.5");
            assertThat(o.diagnostic()).contains("does not offer STARTTLS");
        });
        assertThat(s.transactions()).hasSize(1);
    }

    @Test
    void reportIsRetriedInPlaintextWhenTheHandshakeFailsUnderDane() throws Exception {
        TestSmtpServer s = f.singleMx("mx1.example.test", SmtpBehavior.builder()
                .startTls(TlsPolicyEnforcementTest.serverWithoutCertificate()).build());
        f.engine(List.of(TestPolicies.dane(MX_CERT.certificate())));

        assertThat(f.deliver(report())).singleElement().extracting(RecipientOutcome::kind)
                .isEqualTo(Kind.DELIVERED);
        assertThat(s.connections()).isEqualTo(2);
        assertThat(s.transactions()).singleElement().matches(t -> !t.tls());
    }

    @Test
    void clientMailAskingForTlsRequiredNoIsStillHeldToThePolicy() {
        TestSmtpServer s = f.singleMx("mx1.example.test", SmtpBehavior.builder()
                .startTls(WRONG_NAME.serverContext()).build());
        f.engine(List.of(TestPolicies.apply(TlsLevel.VERIFY, PolicyOrigin.MTA_STS,
                TestPolicies.pin(MX_CERT.certificate()))));

        List<RecipientOutcome> out = f.deliver(Messages.request("example.test",
                InMemoryContent.ofText("TLS-Required: No\r\nSubject: please downgrade\r\n\r\nbody\r\n"),
                "a@example.test"));

        assertThat(out).singleElement().extracting(RecipientOutcome::status).isEqualTo("4.7.5");
        assertThat(s.received("MAIL")).isFalse();
    }

    @Test
    void reportIsDeliveredWhenThePolicySourceCannotDecide() {
        TestSmtpServer s = f.singleMx("mx1.example.test", SmtpBehavior.builder()
                .startTls(WRONG_NAME.serverContext()).build());
        f.engine(List.of(TestPolicies.tempFail("TLSA lookup for _25._tcp.mx1.example.test is bogus")));

        assertThat(f.deliver(report())).singleElement().extracting(RecipientOutcome::kind)
                .isEqualTo(Kind.DELIVERED);
        assertThat(f.deliver(ordinary())).singleElement().extracting(RecipientOutcome::status).isEqualTo("4.7.5");
        assertThat(s.transactions()).hasSize(1);
    }

    @Test
    void aLocalOverrideDoesNotHoldTheReportBackEither() {
        TestSmtpServer s = f.singleMx("mx1.example.test", SmtpBehavior.plain());
        TlsPolicySource override = TestPolicies.apply(TlsLevel.VERIFY, PolicyOrigin.OVERRIDE,
                TestPolicies.pin(MX_CERT.certificate()));
        f.engine(List.of(override));

        assertThat(f.deliver(report())).singleElement().extracting(RecipientOutcome::kind)
                .isEqualTo(Kind.DELIVERED);
        assertThat(s.transactions()).singleElement().matches(t -> !t.tls());
    }

    @Test
    void throughASmartHostTheReportKeepsTheSmartHostsPolicy() {
        TestSmtpServer s = f.server("127.0.0.1", SmtpBehavior.builder().startTls(WRONG_NAME.serverContext())
                .build());
        f.dns.address("smarthost.provider.test", DnsSecurity.INSECURE, EngineFixture.addr("127.0.0.1"));
        TestPolicies.Recording override = TestPolicies.apply(TlsLevel.VERIFY, PolicyOrigin.OVERRIDE,
                TestPolicies.pin(MX_CERT.certificate()));
        f.engine(List.of(override),
                b -> b.smartHost(new SmartHost(HostPort.parse("smarthost.provider.test:" + f.port(), 25))));

        assertThat(f.deliver(report())).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DEFERRED);
            assertThat(o.status()).isEqualTo("4.7.5");
        });
        assertThat(override.requests).hasSize(1);
        assertThat(s.received("MAIL")).isFalse();
    }

    @Test
    void aReportNeverCarriesRequireTls() {
        assertThatThrownBy(() -> new Envelope("tlsrpt@relay.origin.test", List.of(Recipient.of("r@example.test")),
                null, null, true, false, false, Instant.now(), "tls-reporting", true))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
