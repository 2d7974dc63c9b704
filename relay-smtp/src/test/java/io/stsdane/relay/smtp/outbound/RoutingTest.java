package io.stsdane.relay.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.delivery.RecipientOutcome.Kind;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.net.HostPort;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.testing.InMemoryContent;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicySource;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** MX routing, smart host, host-level failures and REQUIRETLS, with real servers and an in-memory DNS. */
class RoutingTest {

    private static final TestCertificate CERT = TestCertificate.builder().dnsNames("mx.example.test").build();
    private static final TestCertificate WEB_ROOT = TestCertificate.builder().commonName("Test Web Root").ca().build();
    private static final TestCertificate WEB_PKI_CERT = TestCertificate.builder().dnsNames("mx.example.test")
            .issuedBy(WEB_ROOT).build();

    private final EngineFixture f = new EngineFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private List<RecipientOutcome> deliverSimple() {
        return f.deliver(Messages.simple("example.test", "a@example.test", "b@example.test"));
    }

    @Test
    void nullMxBouncesAtOnce() {
        f.dns.mx("example.test", DnsSecurity.SECURE, new MxRecord(0, ""));
        TestPolicies.Recording source = TestPolicies.notApplicable();
        f.engine(List.of(source));

        assertThat(deliverSimple()).hasSize(2).allSatisfy(o -> {
            assertThat(o.kind()).isEqualTo(Kind.BOUNCED);
            assertThat(o.status()).isEqualTo("5.1.10");
        });
        assertThat(source.requests).isEmpty();
    }

    @Test
    void nonexistentDomainBounces() {
        f.dns.mx("example.test", DnsStatus.NXDOMAIN, DnsSecurity.SECURE);
        f.engine(List.of());

        assertThat(deliverSimple()).allSatisfy(o -> {
            assertThat(o.kind()).isEqualTo(Kind.BOUNCED);
            assertThat(o.status()).isEqualTo("5.1.2");
        });
    }

    @ParameterizedTest
    @EnumSource(value = DnsSecurity.class, names = {"BOGUS", "INDETERMINATE"})
    void bogusOrIndeterminateMxDefersWithoutConnecting(DnsSecurity security) {
        TestSmtpServer s = f.server("127.0.0.1", SmtpBehavior.plain());
        f.dns.mx("example.test", DnsStatus.ERROR, security);
        f.dns.address("example.test", DnsSecurity.INSECURE, EngineFixture.addr("127.0.0.1"));
        f.engine(List.of());

        assertThat(deliverSimple()).allSatisfy(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DEFERRED);
            assertThat(o.status()).isEqualTo("4.7.5");
        });
        assertThat(s.connections()).isZero();
    }

    @Test
    void bogusAddressRecordsOfTheMxHostDefer() {
        TestSmtpServer s = f.server("127.0.0.1", SmtpBehavior.plain());
        f.dns.mx("example.test", DnsSecurity.SECURE, new MxRecord(10, "mx.example.test"));
        f.dns.address("mx.example.test", DnsStatus.ERROR, DnsSecurity.BOGUS);
        f.engine(List.of());

        assertThat(deliverSimple()).allSatisfy(o -> assertThat(o.status()).isEqualTo("4.7.5"));
        assertThat(s.connections()).isZero();
    }

    @Test
    void domainWithoutMxIsItsOwnImplicitMx() {
        TestSmtpServer s = f.server("127.0.0.1", SmtpBehavior.plain());
        f.dns.mx("example.test", DnsSecurity.INSECURE);
        f.dns.address("example.test", DnsSecurity.INSECURE, EngineFixture.addr("127.0.0.1"));
        TestPolicies.Recording source = TestPolicies.notApplicable();
        f.engine(List.of(source));

        assertThat(deliverSimple()).allSatisfy(o -> assertThat(o.kind()).isEqualTo(Kind.DELIVERED));
        assertThat(s.transactions()).hasSize(1);
        assertThat(source.requests).singleElement().extracting(PolicyRequest::mxHost).isEqualTo("example.test");
    }

    @Test
    void firstMxRefusingConnectionsFallsThroughToTheSecondAndIsPostponedNextTime() {
        TestSmtpServer second = f.server("127.0.0.2", SmtpBehavior.plain());
        f.dns.mx("example.test", DnsSecurity.INSECURE, new MxRecord(20, "mx2.example.test"),
                new MxRecord(10, "mx1.example.test"));
        f.dns.address("mx1.example.test", DnsSecurity.INSECURE, EngineFixture.addr("127.0.0.3"));
        f.dns.address("mx2.example.test", DnsSecurity.INSECURE, EngineFixture.addr("127.0.0.2"));
        TestPolicies.Recording source = TestPolicies.notApplicable();
        f.engine(List.of(source));

        assertThat(deliverSimple()).allSatisfy(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DELIVERED);
            assertThat(o.remoteMta()).isEqualTo("mx2.example.test");
        });
        assertThat(source.requests).extracting(PolicyRequest::mxHost)
                .containsExactly("mx1.example.test", "mx2.example.test");

        source.requests.clear();
        deliverSimple();
        assertThat(source.requests).extracting(PolicyRequest::mxHost).first().isEqualTo("mx2.example.test");
        assertThat(second.transactions()).hasSize(2);
    }

    @Test
    void greeting421DefersWhenItIsTheOnlyMx() {
        TestSmtpServer s = f.singleMx("mx.example.test", SmtpBehavior.builder().greeting("421 4.3.2 try later").build());
        f.engine(List.of());

        assertThat(deliverSimple()).allSatisfy(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DEFERRED);
            assertThat(o.status()).isEqualTo("4.3.2");
            assertThat(o.diagnostic()).contains("421 4.3.2 try later");
        });
        assertThat(s.received("MAIL")).isFalse();
    }

    @Test
    void policyTempFailStopsTheSearchDefersAndTellsTheSources() {
        TestSmtpServer s = f.singleMx("mx.example.test", SmtpBehavior.plain());
        TestPolicies.Recording failing = TestPolicies.tempFail("TLSA lookup bogus");
        TestPolicies.Recording later = TestPolicies.notApplicable();
        f.engine(List.of(failing, later));

        assertThat(deliverSimple()).allSatisfy(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DEFERRED);
            assertThat(o.status()).isEqualTo("4.7.5");
            assertThat(o.diagnostic()).contains("TLSA lookup bogus");
        });
        assertThat(later.requests).isEmpty();
        assertThat(s.connections()).isZero();
        assertThat(failing.failedDestinations).containsExactly("example.test");
        assertThat(later.failedDestinations).containsExactly("example.test");
    }

    @Test
    void aPolicySourceThatNeverAnswersDefersInsteadOfFallingThrough() {
        TestSmtpServer s = f.singleMx("mx.example.test", SmtpBehavior.plain());
        TlsPolicySource silent = request -> new java.util.concurrent.CompletableFuture<>();
        TestPolicies.Recording later = TestPolicies.notApplicable();
        f.engine(List.of(silent, later), b -> b.timeouts(SmtpTimeouts.uniform(Duration.ofMillis(300))));

        assertThat(deliverSimple()).allSatisfy(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DEFERRED);
            assertThat(o.status()).isEqualTo("4.7.5");
            assertThat(o.diagnostic()).contains("no answer within 300 ms");
        });
        assertThat(later.requests).isEmpty();
        assertThat(s.connections()).isZero();
    }

    @Test
    void policyTempFailForOneMxHostMovesToTheNext() {
        TestSmtpServer s = f.server("127.0.0.2", SmtpBehavior.plain());
        f.dns.mx("example.test", DnsSecurity.INSECURE, new MxRecord(10, "mx1.example.test"),
                new MxRecord(20, "mx2.example.test"));
        f.dns.address("mx2.example.test", DnsSecurity.INSECURE, EngineFixture.addr("127.0.0.2"));
        TestPolicies.Recording source = new TestPolicies.Recording(r -> r.mxHost().equals("mx1.example.test")
                ? new PolicyDecision.TempFail(TlsFailure.STS_POLICY_FETCH_ERROR, "mx1 not in policy")
                : new PolicyDecision.NotApplicable("fine"));
        f.engine(List.of(source));

        assertThat(deliverSimple()).allSatisfy(o -> assertThat(o.kind()).isEqualTo(Kind.DELIVERED));
        assertThat(s.transactions()).hasSize(1);
        assertThat(source.failedDestinations).isEmpty();
    }

    @Test
    void smartHostIsThePolicyDomainAndGetsCredentialsOnlyOverTls() {
        TestSmtpServer s = f.server("127.0.0.1", SmtpBehavior.builder().startTls(CERT.serverContext())
                .authPlain("relayuser", "s3cret").build());
        f.dns.address("smarthost.provider.test", DnsSecurity.INSECURE, EngineFixture.addr("127.0.0.1"));
        TestPolicies.Recording source = TestPolicies.notApplicable();
        f.engine(List.of(source), b -> b.smartHost(
                new SmartHost(HostPort.parse("smarthost.provider.test:" + f.port(), 25)).withAuth("relayuser", "s3cret")));

        assertThat(deliverSimple()).allSatisfy(o -> assertThat(o.kind()).isEqualTo(Kind.DELIVERED));
        assertThat(source.requests).singleElement().satisfies(r -> {
            assertThat(r.policyDomain()).isEqualTo("smarthost.provider.test");
            assertThat(r.recipientDomain()).isEqualTo("example.test");
            assertThat(r.mxHost()).isEqualTo("smarthost.provider.test");
        });
        assertThat(s.transactions()).singleElement().satisfies(t -> assertThat(t.tls()).isTrue());
        assertThat(s.commands()).anyMatch(c -> c.startsWith("AUTH PLAIN"));
    }

    @Test
    void smartHostWithoutStartTlsNeverSeesTheCredentials() {
        TestSmtpServer s = f.server("127.0.0.1", SmtpBehavior.plain());
        f.engine(List.of(), b -> b.smartHost(
                new SmartHost(HostPort.parse("127.0.0.1:" + f.port(), 25)).withAuth("u", "p")));

        assertThat(deliverSimple()).allSatisfy(o -> assertThat(o.kind()).isEqualTo(Kind.DEFERRED));
        assertThat(s.received("AUTH")).isFalse();
        assertThat(s.received("MAIL")).isFalse();
    }

    @Test
    void requireTlsMessageToAnInsecureMxWithoutMtaStsBounces() {
        TestSmtpServer s = f.singleMx("mx.example.test", SmtpBehavior.builder().startTls(CERT.serverContext())
                .requireTls(true).build());
        f.engine(List.of(TestPolicies.apply(TlsLevel.ENCRYPT, PolicyOrigin.DANE,
                io.stsdane.relay.core.tls.PeerVerifier.ACCEPT_ANY)));

        assertOutcome(f.deliver(requireTls()), Kind.BOUNCED, "5.7.10");
        assertThat(s.connections()).isZero();
    }

    @Test
    void requireTlsMessageGoesOverDaneVerifiedTlsWithTheMailParameter() {
        TestSmtpServer s = f.server("127.0.0.1", SmtpBehavior.builder().startTls(CERT.serverContext())
                .requireTls(true).build());
        secureMx();
        f.engine(List.of(TestPolicies.dane(CERT.certificate())));

        assertThat(f.deliver(requireTls())).singleElement().extracting(RecipientOutcome::kind)
                .isEqualTo(Kind.DELIVERED);
        assertThat(s.transactions()).singleElement().satisfies(t -> {
            assertThat(t.tls()).isTrue();
            assertThat(t.mailFrom()).contains("REQUIRETLS");
        });
    }

    /** RFC 8689 §4.2.1: however the certificate was verified (DANE or PKIX), the server must offer REQUIRETLS. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void requireTlsMessageBouncesWhenTheVerifiedServerDoesNotOfferRequireTls(boolean dane) {
        TestCertificate cert = dane ? CERT : WEB_PKI_CERT;
        TestSmtpServer s = f.server("127.0.0.1", SmtpBehavior.builder().startTls(cert.serverContext()).build());
        secureMx();
        f.engine(dane ? List.of(TestPolicies.dane(CERT.certificate())) : List.of(),
                b -> b.trust(WEB_ROOT.trustManager()));

        assertOutcome(f.deliver(requireTls()), Kind.BOUNCED, "5.7.30");
        assertThat(s.received("MAIL")).isFalse();
    }

    /** RFC 8689 §4.2.1: a DNSSEC-secure MX and a certificate PKIX-valid for its name are enough. */
    @Test
    void requireTlsMessageGoesToASecureMxWithAPkixValidCertificateWithoutDaneOrMtaSts() {
        TestSmtpServer s = f.server("127.0.0.1", SmtpBehavior.builder().startTls(WEB_PKI_CERT.serverContext())
                .requireTls(true).build());
        secureMx();
        f.engine(List.of(TestPolicies.notApplicable()), b -> b.trust(WEB_ROOT.trustManager()));

        assertThat(f.deliver(requireTls())).singleElement().extracting(RecipientOutcome::kind)
                .isEqualTo(Kind.DELIVERED);
        assertThat(s.transactions()).singleElement().satisfies(t -> {
            assertThat(t.tls()).isTrue();
            assertThat(t.sni()).isEqualTo("mx.example.test");
            assertThat(t.mailFrom()).contains("REQUIRETLS");
        });
    }

    @Test
    void requireTlsMessageIsNotSentToASecureMxWhoseCertificateIsNotValidForItsName() {
        TestCertificate other = TestCertificate.builder().dnsNames("mx.elsewhere.test").issuedBy(WEB_ROOT).build();
        TestSmtpServer s = f.server("127.0.0.1", SmtpBehavior.builder().startTls(other.serverContext())
                .requireTls(true).build());
        secureMx();
        f.engine(List.of(TestPolicies.notApplicable()), b -> b.trust(WEB_ROOT.trustManager()));

        assertThat(f.deliver(requireTls())).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DEFERRED);
            assertThat(o.status()).isEqualTo("4.7.5");
            assertThat(o.diagnostic()).contains("mx.example.test");
        });
        assertThat(s.received("MAIL")).isFalse();
    }

    /** RFC 8689 §4.2.1: DANE authenticates the host, but an insecure MX RRset may have named the wrong one. */
    @Test
    void requireTlsMessageBouncesWhenDaneAuthenticatesAHostNamedByAnInsecureMx() {
        TestSmtpServer s = f.singleMx("mx.example.test", SmtpBehavior.builder().startTls(CERT.serverContext())
                .requireTls(true).build());
        f.engine(List.of(TestPolicies.dane(CERT.certificate())));

        assertOutcome(f.deliver(requireTls()), Kind.BOUNCED, "5.7.10");
        assertThat(s.connections()).isZero();
    }

    @Test
    void requireTlsMessageGoesOverAnEnforcedMtaStsPolicyUnderAnInsecureMx() {
        TestSmtpServer s = f.singleMx("mx.example.test", SmtpBehavior.builder()
                .startTls(WEB_PKI_CERT.serverContext()).requireTls(true).build());
        f.engine(List.of(TestPolicies.apply(TlsLevel.VERIFY, PolicyOrigin.MTA_STS,
                io.stsdane.relay.core.pki.PkixVerifier.forHost(WEB_ROOT.trustManager(), "mx.example.test"))));

        assertThat(f.deliver(requireTls())).singleElement().extracting(RecipientOutcome::kind)
                .isEqualTo(Kind.DELIVERED);
        assertThat(s.transactions()).singleElement().satisfies(t -> assertThat(t.mailFrom()).contains("REQUIRETLS"));
    }

    /**
     * RFC 8689 §4.2.1: an enforced MTA-STS policy listing the host makes its name trustworthy, also when DANE
     * (which takes precedence, RFC 8461 §2) is the policy that verifies the certificate under an insecure MX.
     */
    @Test
    void requireTlsMessageGoesOverDaneUnderAnInsecureMxThatAnEnforcedMtaStsPolicyLists() {
        TestSmtpServer s = f.singleMx("mx.example.test", SmtpBehavior.builder().startTls(CERT.serverContext())
                .requireTls(true).build());
        f.engine(List.of(TestPolicies.dane(CERT.certificate()), TestPolicies.apply(TlsLevel.VERIFY,
                PolicyOrigin.MTA_STS, io.stsdane.relay.core.pki.PkixVerifier.forHost(WEB_ROOT.trustManager(),
                        "mx.example.test"))));

        assertThat(f.deliver(requireTls())).singleElement().extracting(RecipientOutcome::kind)
                .isEqualTo(Kind.DELIVERED);
        assertThat(s.transactions()).singleElement().satisfies(t -> assertThat(t.mailFrom()).contains("REQUIRETLS"));
    }

    /**
     * RFC 8689 §4.2.1 guards the MX lookup, which can name a host of an attacker's choosing; a smart host's name
     * comes from the configuration, not from DNS. A certificate PKIX-valid for that name authenticates the hop,
     * however the name's addresses were found (here an unsigned zone); an impostor's certificate does not.
     */
    @Test
    void requireTlsMessageGoesToASmartHostWithAPkixValidCertificateForItsConfiguredName() {
        TestCertificate smartHostCert = TestCertificate.builder().dnsNames("smarthost.provider.test")
                .issuedBy(WEB_ROOT).build();
        TestSmtpServer s = f.server("127.0.0.1", SmtpBehavior.builder().startTls(smartHostCert.serverContext())
                .requireTls(true).build());
        f.dns.address("smarthost.provider.test", DnsSecurity.INSECURE, EngineFixture.addr("127.0.0.1"));
        f.engine(List.of(TestPolicies.notApplicable()), b -> b.trust(WEB_ROOT.trustManager())
                .smartHost(new SmartHost(HostPort.parse("smarthost.provider.test:" + f.port(), 25))));

        assertThat(f.deliver(requireTls())).singleElement().extracting(RecipientOutcome::kind)
                .isEqualTo(Kind.DELIVERED);
        assertThat(s.transactions()).singleElement().satisfies(t -> {
            assertThat(t.sni()).isEqualTo("smarthost.provider.test");
            assertThat(t.mailFrom()).contains("REQUIRETLS");
        });
    }

    @Test
    void requireTlsMessageIsNotSentToASmartHostWhoseCertificateIsNotValidForItsName() {
        TestSmtpServer s = f.server("127.0.0.1", SmtpBehavior.builder().startTls(WEB_PKI_CERT.serverContext())
                .requireTls(true).build());
        f.dns.address("smarthost.provider.test", DnsSecurity.INSECURE, EngineFixture.addr("127.0.0.1"));
        f.engine(List.of(TestPolicies.notApplicable()), b -> b.trust(WEB_ROOT.trustManager())
                .smartHost(new SmartHost(HostPort.parse("smarthost.provider.test:" + f.port(), 25))));

        assertOutcome(f.deliver(requireTls()), Kind.DEFERRED, "4.7.5");
        assertThat(s.received("MAIL")).isFalse();
    }

    private static void assertOutcome(List<RecipientOutcome> outcomes, Kind kind, String status) {
        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(kind);
            assertThat(o.status()).isEqualTo(status);
        });
    }

    private void secureMx() {
        f.dns.mx("example.test", DnsSecurity.SECURE, new MxRecord(10, "mx.example.test"));
        f.dns.address("mx.example.test", DnsSecurity.SECURE, EngineFixture.addr("127.0.0.1"));
    }

    private static io.stsdane.relay.core.delivery.DeliveryRequest requireTls() {
        List<Recipient> rcpts = List.of(Recipient.of("a@example.test"));
        return Messages.request("example.test", Messages.envelope(rcpts, true, false, false),
                InMemoryContent.ofText("Subject: secret\r\n\r\nhi\r\n"));
    }
}
