package io.stsdane.relay.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.delivery.RecipientOutcome.Kind;
import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsSessionResult;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.ReceivedTransaction;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.security.SecureRandom;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every TLS level against real STARTTLS servers: what is delivered, over what, and what is never sent. */
class TlsPolicyEnforcementTest {

    private static final TestCertificate MX_CERT = TestCertificate.builder().dnsNames("mx1.example.test").build();
    private static final TestCertificate OTHER_CERT = TestCertificate.builder().dnsNames("evil.test").build();

    private final EngineFixture f = new EngineFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private TestSmtpServer mx(SmtpBehavior b) {
        return f.singleMx("mx1.example.test", b);
    }

    private static SmtpBehavior tls(SSLContext ctx) {
        return SmtpBehavior.builder().startTls(ctx).build();
    }

    @Test
    void daneMatchDeliversOverTlsWithSniAndReportsSuccess() {
        TestSmtpServer s = mx(tls(MX_CERT.serverContext()));
        f.engine(List.of(TestPolicies.dane(MX_CERT.certificate())));

        List<RecipientOutcome> out = f.deliver(Messages.simple("example.test", "a@example.test"));

        assertThat(out).singleElement().extracting(RecipientOutcome::kind).isEqualTo(Kind.DELIVERED);
        ReceivedTransaction t = s.transactions().get(0);
        assertThat(t.tls()).isTrue();
        assertThat(t.sni()).isEqualTo("mx1.example.test");
        assertThat(f.reports).singleElement().satisfies(r -> {
            assertThat(r.success()).isTrue();
            assertThat(r.policy().source()).isEqualTo(PolicyOrigin.DANE);
        });
        assertThat(f.meters.counter("relay.delivery.attempts", "source", "dane", "outcome", "delivered").count())
                .isEqualTo(1.0);
        assertThat(f.meters.counter("relay.delivery.tls.sessions", "protocol", "TLSv1.3").count()).isEqualTo(1.0);
    }

    @Test
    void aDeliveredOutcomeCarriesThePolicyAndTheVerifiedTlsOfItsSession() {
        mx(tls(MX_CERT.serverContext()));
        f.engine(List.of(TestPolicies.dane(MX_CERT.certificate())));

        List<RecipientOutcome> out = f.deliver(Messages.simple("example.test", "a@example.test"));

        assertThat(out).singleElement().extracting(RecipientOutcome::security).satisfies(sec -> {
            assertThat(sec.policy()).isEqualTo("dane/dane");
            assertThat(sec.tlsProtocol()).isEqualTo("TLSv1.3");
            assertThat(sec.tlsCipher()).startsWith("TLS_");
            assertThat(sec.verified()).isTrue();
            assertThat(sec.verification()).isNotBlank();
        });
        assertThat(out.get(0).security()).isEqualTo(f.attempts.get(0).security());
    }

    @Test
    void aDeferralCarriesThePolicyAndTheUnverifiedTlsOfTheFailedAttempt() {
        mx(tls(OTHER_CERT.serverContext()));
        f.engine(List.of(TestPolicies.dane(MX_CERT.certificate())));

        List<RecipientOutcome> out = f.deliver(Messages.simple("example.test", "a@example.test"));

        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DEFERRED);
            assertThat(o.security().policy()).isEqualTo("dane/dane");
            assertThat(o.security().tlsProtocol()).isEqualTo("TLSv1.3");
            assertThat(o.security().verified()).isFalse();
            assertThat(o.security().verification()).contains("expected leaf SHA-256");
        });
    }

    @Test
    void aDeferralWithoutStartTlsCarriesThePolicyAndNoTls() {
        mx(SmtpBehavior.plain());
        f.engine(List.of(TestPolicies.apply(TlsLevel.ENCRYPT, PolicyOrigin.DANE, PeerVerifier.ACCEPT_ANY)));

        List<RecipientOutcome> out = f.deliver(Messages.simple("example.test", "a@example.test"));

        assertThat(out).singleElement().extracting(RecipientOutcome::security).satisfies(sec -> {
            assertThat(sec.policy()).isEqualTo("dane/encrypt");
            assertThat(sec.tls()).isFalse();
            assertThat(sec.verified()).isNull();
        });
    }

    @Test
    void requiredTlsWithoutStartTlsDefersAndSendsNothingInPlaintext() {
        TestSmtpServer s = mx(SmtpBehavior.plain());
        f.engine(List.of(TestPolicies.apply(TlsLevel.ENCRYPT, PolicyOrigin.DANE, PeerVerifier.ACCEPT_ANY)));

        List<RecipientOutcome> out = f.deliver(Messages.simple("example.test", "a@example.test"));

        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DEFERRED);
            assertThat(o.status()).isEqualTo("4.7.5");
            assertThat(o.diagnostic()).contains("does not offer STARTTLS");
        });
        assertThat(s.received("MAIL")).isFalse();
        assertThat(f.reports).singleElement().extracting(TlsSessionResult::failure)
                .isEqualTo(TlsFailure.STARTTLS_NOT_SUPPORTED);
    }

    @Test
    void verifierRejectingTheCertificateDefersWithoutMail() {
        TestSmtpServer s = mx(tls(OTHER_CERT.serverContext()));
        TestPolicies.Recording dane = TestPolicies.dane(MX_CERT.certificate());
        f.engine(List.of(dane));

        List<RecipientOutcome> out = f.deliver(Messages.simple("example.test", "a@example.test"));

        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DEFERRED);
            assertThat(o.status()).isEqualTo("4.7.5");
            assertThat(o.diagnostic()).contains("certificate rejected", "expected leaf SHA-256");
        });
        assertThat(s.received("MAIL")).isFalse();
        assertThat(dane.failedDestinations).containsExactly("example.test");
        assertThat(f.reports).singleElement().extracting(TlsSessionResult::failure)
                .isEqualTo(TlsFailure.VALIDATION_FAILURE);
    }

    @Test
    void encryptOnlyAcceptsASelfSignedCertificateOverTls() {
        TestSmtpServer s = mx(tls(OTHER_CERT.serverContext()));
        f.engine(List.of(TestPolicies.apply(TlsLevel.ENCRYPT, PolicyOrigin.DANE, PeerVerifier.ACCEPT_ANY)));

        assertThat(f.deliver(Messages.simple("example.test", "a@example.test")))
                .singleElement().extracting(RecipientOutcome::kind).isEqualTo(Kind.DELIVERED);
        assertThat(s.transactions()).singleElement().matches(ReceivedTransaction::tls);
    }

    @Test
    void opportunisticUsesTlsWithASelfSignedCertificateAndReportsNothing() {
        TestSmtpServer s = mx(tls(OTHER_CERT.serverContext()));
        f.engine(List.of());

        assertThat(f.deliver(Messages.simple("example.test", "a@example.test")))
                .singleElement().extracting(RecipientOutcome::kind).isEqualTo(Kind.DELIVERED);
        assertThat(s.transactions()).singleElement().matches(ReceivedTransaction::tls);
        assertThat(f.reports).isEmpty();
    }

    @Test
    void opportunisticSendsInPlaintextWhenStartTlsIsNotOffered() {
        TestSmtpServer s = mx(SmtpBehavior.plain());
        f.engine(List.of(TestPolicies.notApplicable()));

        assertThat(f.deliver(Messages.simple("example.test", "a@example.test")))
                .singleElement().extracting(RecipientOutcome::kind).isEqualTo(Kind.DELIVERED);
        assertThat(s.transactions()).singleElement().matches(t -> !t.tls());
    }

    @Test
    void anUnfetchableMtaStsPolicyDeliversOpportunisticallyAndReportsTheFetchError() {
        TestSmtpServer s = mx(tls(OTHER_CERT.serverContext()));
        f.engine(List.of(new TestPolicies.Recording(r -> new PolicyDecision.NotApplicable(
                "no MTA-STS policy for example.test: HTTP 404", TlsFailure.STS_POLICY_FETCH_ERROR))));

        assertThat(f.deliver(Messages.simple("example.test", "a@example.test")))
                .singleElement().extracting(RecipientOutcome::kind).isEqualTo(Kind.DELIVERED);
        assertThat(s.transactions()).singleElement().matches(ReceivedTransaction::tls);
        assertThat(f.reports).singleElement().satisfies(r -> {
            assertThat(r.failure()).isEqualTo(TlsFailure.STS_POLICY_FETCH_ERROR);
            assertThat(r.policy().source()).isEqualTo(PolicyOrigin.OPPORTUNISTIC);
            assertThat(r.policy().policyDomain()).isEqualTo("example.test");
            assertThat(r.mxHost()).isEqualTo("mx1.example.test");
            assertThat(r.detail()).contains("HTTP 404");
        });
    }

    @Test
    void mtaStsTestingModeDeliversDespiteABadCertificateAndReportsTheFailure() {
        TestSmtpServer s = mx(tls(OTHER_CERT.serverContext()));
        f.engine(List.of(TestPolicies.apply(TlsLevel.MAY, PolicyOrigin.MTA_STS, TestPolicies.pin(MX_CERT.certificate()))));

        assertThat(f.deliver(Messages.simple("example.test", "a@example.test")))
                .singleElement().extracting(RecipientOutcome::kind).isEqualTo(Kind.DELIVERED);
        assertThat(s.transactions()).singleElement().matches(ReceivedTransaction::tls);
        assertThat(f.reports).singleElement().extracting(TlsSessionResult::failure)
                .isEqualTo(TlsFailure.VALIDATION_FAILURE);
    }

    @Test
    void failedHandshakeIsRetriedInPlaintextOnANewConnectionOnlyAtLevelMay() throws Exception {
        TestSmtpServer s = mx(tls(serverWithoutCertificate()));
        f.engine(List.of());

        assertThat(f.deliver(Messages.simple("example.test", "a@example.test")))
                .singleElement().extracting(RecipientOutcome::kind).isEqualTo(Kind.DELIVERED);
        assertThat(s.connections()).isEqualTo(2);
        assertThat(s.transactions()).singleElement().matches(t -> !t.tls());
    }

    @Test
    void failedHandshakeAtLevelEncryptDefersAndNeverFallsBackToPlaintext() throws Exception {
        TestSmtpServer s = mx(tls(serverWithoutCertificate()));
        f.engine(List.of(TestPolicies.apply(TlsLevel.ENCRYPT, PolicyOrigin.MTA_STS, PeerVerifier.ACCEPT_ANY)));

        assertThat(f.deliver(Messages.simple("example.test", "a@example.test"))).singleElement()
                .satisfies(o -> assertThat(o.kind()).isEqualTo(Kind.DEFERRED));
        assertThat(s.connections()).isEqualTo(1);
        assertThat(s.received("MAIL")).isFalse();
    }

    @Test
    void startTlsInjectionAbortsTheSessionBeforeAnyMail() {
        TestSmtpServer s = mx(SmtpBehavior.builder().startTls(MX_CERT.serverContext())
                .injectAfterStartTls("250-injected\r\n250 PIPELINING\r\n").build());
        f.engine(List.of());

        assertThat(f.deliver(Messages.simple("example.test", "a@example.test"))).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DEFERRED);
            assertThat(o.diagnostic()).contains("STARTTLS injection");
        });
        assertThat(s.received("MAIL")).isFalse();
        assertThat(s.connections()).isEqualTo(1);
    }

    @Test
    void noneOverrideSkipsStartTlsEvenWhenOffered() {
        TestSmtpServer s = mx(tls(MX_CERT.serverContext()));
        f.engine(List.of(new OverridePolicySource(java.util.Map.of("example.test", TlsLevel.NONE), null,
                h -> PeerVerifier.ACCEPT_ANY)));

        assertThat(f.deliver(Messages.simple("example.test", "a@example.test")))
                .singleElement().extracting(RecipientOutcome::kind).isEqualTo(Kind.DELIVERED);
        assertThat(s.received("STARTTLS")).isFalse();
        assertThat(s.transactions()).singleElement().matches(t -> !t.tls());
    }

    /** A server whose TLS context has no key: every handshake fails. */
    static SSLContext serverWithoutCertificate() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, new SecureRandom());
        return ctx;
    }
}
