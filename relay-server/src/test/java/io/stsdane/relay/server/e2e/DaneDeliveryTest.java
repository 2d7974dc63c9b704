package io.stsdane.relay.server.e2e;

import static io.stsdane.relay.server.e2e.RelayWorld.awaitDelivery;
import static io.stsdane.relay.server.e2e.RelayWorld.daneEe;
import static io.stsdane.relay.server.e2e.RelayWorld.daneTa;
import static io.stsdane.relay.server.e2e.RelayWorld.policy;
import static io.stsdane.relay.server.e2e.RelayWorld.selfSigned;
import static io.stsdane.relay.server.e2e.RelayWorld.startTls;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.testkit.dns.TestZone;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.ReceivedTransaction;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DANE (RFC 7672) through the whole relay: SMTP in, spool, DNSSEC-validated MX and TLSA lookups against the
 * signed-zone fixture, policy decision, STARTTLS to a test MX. Every "deferred" row also proves that the MX saw
 * no MAIL command: nothing left in clear.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DaneDeliveryTest {

    @TempDir
    static Path dir;

    private RelayWorld world;

    @BeforeAll
    void startRelay() throws Exception {
        world = new RelayWorld(dir, List.of("dane-over-sts.test"), "");
    }

    @AfterAll
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void aDaneEeMatchIsDeliveredOverTlsWithTheMxHostAsSni() throws Exception {
        Destination d = world.secureDestination("dane-ee");
        // DANE-EE ignores names: a certificate for some other name must still be accepted.
        TestCertificate cert = selfSigned("not-the-mx.example");
        d.zone().tlsa(d.tlsaOwner(), daneEe(cert));
        TestSmtpServer mx = world.mx(d.address(), startTls(cert));

        world.submit(d.rcpt());

        ReceivedTransaction t = awaitDelivery(mx);
        assertThat(t.tls()).isTrue();
        assertThat(t.sni()).isEqualTo(d.host());
        assertThat(t.recipients()).singleElement().asString().contains(d.rcpt());
    }

    @Test
    void aDaneTaMatchOnTheIssuingCaIsDeliveredOverTls() throws Exception {
        Destination d = world.secureDestination("dane-ta");
        TestCertificate root = TestCertificate.builder().commonName("DANE-TA root").ca().build();
        TestCertificate ca = TestCertificate.builder().commonName("DANE-TA issuing CA").ca().issuedBy(root).build();
        TestCertificate leaf = TestCertificate.builder().dnsNames(d.host()).issuedBy(ca).build();
        d.zone().tlsa(d.tlsaOwner(), daneTa(ca));
        TestSmtpServer mx = world.mx(d.address(), startTls(leaf)); // sends leaf + issuing CA

        world.submit(d.rcpt());

        ReceivedTransaction t = awaitDelivery(mx);
        assertThat(t.tls()).isTrue();
        assertThat(t.sni()).isEqualTo(d.host());
    }

    @Test
    void onlyUnusableTlsaRecordsMeanEncryptionWithoutAuthentication() throws Exception {
        Destination d = world.secureDestination("pkix-ee-only");
        TestCertificate cert = selfSigned("whatever.example");
        // PKIX-EE (usage 1) is unusable for SMTP (RFC 7672 §3.1.3): TLS is still mandatory, the certificate is not
        // checked.
        d.zone().tlsa(d.tlsaOwner(), "1 1 1 " + RelayWorld.sha256(cert.certificate().getPublicKey().getEncoded()));
        TestSmtpServer mx = world.mx(d.address(), startTls(cert));

        world.submit(d.rcpt());

        assertThat(awaitDelivery(mx).tls()).isTrue();
    }

    @Test
    void aTlsaRecordInAnInsecureZoneIsIgnoredAndDeliveryIsOpportunistic() throws Exception {
        Destination d = world.destination(world.tld.unsignedChild("insecure-tlsa.test"), "insecure-tlsa.test");
        TestCertificate cert = selfSigned(d.host());
        d.zone().tlsa(d.tlsaOwner(), daneEe(selfSigned("someone-else.example")));
        TestSmtpServer mx = world.mx(d.address(), startTls(cert));

        world.submit(d.rcpt());

        assertThat(awaitDelivery(mx).tls()).isTrue();
    }

    @Test
    void aMatchingTlsaRecordWinsOverAnMtaStsPolicyThatDoesNotListTheMx() throws Exception {
        Destination d = world.secureDestination("dane-over-sts");
        TestCertificate cert = selfSigned(d.host()); // not PKIX-valid either: only DANE can authenticate it
        d.zone().tlsa(d.tlsaOwner(), daneEe(cert));
        world.stsPolicy(d.zone(), d.domain(), "1", policy("enforce", "mx.elsewhere.example"));
        TestSmtpServer mx = world.mx(d.address(), startTls(cert));

        world.submit(d.rcpt());

        ReceivedTransaction t = awaitDelivery(mx);
        assertThat(t.tls()).isTrue();
        assertThat(t.sni()).isEqualTo(d.host());
    }

    /** How one deferral row prepares its destination; returns the MX server's behaviour. */
    private interface Setup {
        SmtpBehavior apply(Destination d, TestCertificate serverCert);
    }

    Stream<Arguments> deferrals() {
        return Stream.of(
                Arguments.of("a TLSA record that matches no key the server presents", "tlsa-mismatch",
                        (Setup) (d, cert) -> {
                            d.zone().tlsa(d.tlsaOwner(), daneEe(selfSigned("other.example")));
                            return startTls(cert);
                        }),
                Arguments.of("a DANE-TA record for a CA the server's chain does not contain", "ta-missing",
                        (Setup) (d, cert) -> {
                            TestCertificate otherCa = TestCertificate.builder().commonName("other CA").ca().build();
                            d.zone().tlsa(d.tlsaOwner(), daneTa(otherCa));
                            return startTls(cert);
                        }),
                Arguments.of("a matching TLSA record but no STARTTLS offered", "dane-no-starttls",
                        (Setup) (d, cert) -> {
                            d.zone().tlsa(d.tlsaOwner(), daneEe(cert));
                            return SmtpBehavior.plain();
                        }),
                Arguments.of("only unusable TLSA records and no STARTTLS offered", "encrypt-no-starttls",
                        (Setup) (d, cert) -> {
                            d.zone().tlsa(d.tlsaOwner(), "0 0 1 " + RelayWorld.sha256(new byte[] {1}));
                            return SmtpBehavior.plain();
                        }),
                Arguments.of("a matching TLSA record whose signature is bogus", "bogus-tlsa",
                        (Setup) (d, cert) -> {
                            d.zone().tlsa(d.tlsaOwner(), daneEe(cert)).corruptSignatures(d.tlsaOwner());
                            return startTls(cert);
                        }),
                Arguments.of("a TLSA record whose signature has expired", "expired-tlsa",
                        (Setup) (d, cert) -> {
                            d.zone().tlsa(d.tlsaOwner(), daneEe(cert)).expireSignatures(d.tlsaOwner());
                            return startTls(cert);
                        }),
                Arguments.of("an MX RRset whose signature is bogus", "bogus-mx",
                        (Setup) (d, cert) -> {
                            d.zone().corruptSignatures(d.domain());
                            return startTls(cert);
                        }));
    }

    @ParameterizedTest(name = "{0} defers the message with 4.7.5 and sends nothing")
    @MethodSource("deferrals")
    void insecureOrUnverifiableDaneDestinationsDeferTheMessage(String sentence, String label, Setup setup)
            throws Exception {
        // The recipient domain is one label below the zone apex so that corrupting its signatures hits the MX
        // RRset only, not the zone's keys.
        TestZone zone = world.tld.child(label + ".test");
        Destination d = world.destination(zone, "mail." + label + ".test");
        TestCertificate cert = selfSigned(d.host());
        TestSmtpServer mx = world.mx(d.address(), setup.apply(d, cert));

        String id = world.submit(d.rcpt());

        world.awaitDeferred(id, d.rcpt(), "4.7.5");
        assertThat(mx.received("MAIL")).as("MAIL sent to %s", d.host()).isFalse();
        assertThat(mx.transactions()).isEmpty();
    }
}
