package io.stsdane.relay.server.e2e;

import static io.stsdane.relay.server.e2e.RelayWorld.awaitDelivery;
import static io.stsdane.relay.server.e2e.RelayWorld.daneEe;
import static io.stsdane.relay.server.e2e.RelayWorld.daneTa;
import static io.stsdane.relay.server.e2e.RelayWorld.policy;
import static io.stsdane.relay.server.e2e.RelayWorld.selfSigned;
import static io.stsdane.relay.server.e2e.RelayWorld.startTls;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.testkit.dns.Misbehaviour;
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
        world = new RelayWorld(dir,
                List.of("dane-over-sts.test", "mail.mismatch-under-sts.test", "mail.encrypt-only-under-sts.test",
                        "forged-mx.test"), "");
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

    @Test
    void anImplicitMxDomainWithAMatchingTlsaRecordIsDeliveredOverTlsWithTheDomainAsSni() throws Exception {
        TestZone zone = world.tld.child("implicit-mx.test");
        String address = world.nextAddress();
        TestCertificate cert = selfSigned("implicit-mx.test");
        zone.a("implicit-mx.test", address).tlsa("_" + world.deliveryPort() + "._tcp.implicit-mx.test", daneEe(cert));
        TestSmtpServer mx = world.mx(address, startTls(cert));

        world.submit("alice@implicit-mx.test");

        ReceivedTransaction t = awaitDelivery(mx);
        assertThat(t.tls()).isTrue();
        assertThat(t.sni()).isEqualTo("implicit-mx.test");
    }

    @Test
    void anMxHostInAnInsecureZoneGetsOpportunisticTlsEvenWithTlsaRecords() throws Exception {
        // RFC 7672 §2.2.2: DANE needs secure address records of the MX host, not only a secure MX RRset.
        TestZone hosting = world.tld.unsignedChild("insecure-hosting.test");
        String address = world.nextAddress();
        String host = "mx.insecure-hosting.test";
        hosting.a(host, address).tlsa("_" + world.deliveryPort() + "._tcp." + host, daneEe(selfSigned("x.example")));
        world.tld.child("secure-mx-insecure-host.test").mx("secure-mx-insecure-host.test", 10, host);
        TestSmtpServer mx = world.mx(address, startTls(selfSigned(host)));

        world.submit("alice@secure-mx-insecure-host.test");

        assertThat(awaitDelivery(mx).tls()).isTrue();
    }

    @Test
    void anUnsignedDomainWhoseMxHostPublishesTlsaInASignedZoneGetsDaneAndNeverPlaintext() throws Exception {
        // RFC 7672 §2.2.1, as Postfix does by default (smtp_tls_dane_insecure_mx_policy = dane): the host's own
        // signed TLSA records apply whatever the MX RRset, so stripping STARTTLS from it yields no plaintext.
        TestZone hosting = world.tld.child("dane-hosting.test");
        String port = "_" + world.deliveryPort() + "._tcp.";
        String goodAddress = world.nextAddress();
        String strippedAddress = world.nextAddress();
        TestCertificate cert = selfSigned("not-the-mx.example");
        hosting.a("mx1.dane-hosting.test", goodAddress).tlsa(port + "mx1.dane-hosting.test", daneEe(cert))
                .a("mx2.dane-hosting.test", strippedAddress).tlsa(port + "mx2.dane-hosting.test", daneEe(cert));
        world.tld.unsignedChild("hosted-good.test").mx("hosted-good.test", 10, "mx1.dane-hosting.test");
        world.tld.unsignedChild("hosted-stripped.test").mx("hosted-stripped.test", 10, "mx2.dane-hosting.test");
        TestSmtpServer good = world.mx(goodAddress, startTls(cert));
        TestSmtpServer stripped = world.mx(strippedAddress, SmtpBehavior.plain());

        world.submit("alice@hosted-good.test");
        String id = world.submit("bob@hosted-stripped.test");

        ReceivedTransaction t = awaitDelivery(good);
        assertThat(t.tls()).isTrue();
        assertThat(t.sni()).isEqualTo("mx1.dane-hosting.test");
        world.awaitPolicyDeferral(id, "bob@hosted-stripped.test", stripped);
    }

    @Test
    void anEnforcedMtaStsPolicyStillRefusesADaneHostNamedByAnUnsignedMxRrsetThatThePolicyDoesNotList()
            throws Exception {
        // A forged unsigned MX RRset naming the attacker's own DANE host must not get past MTA-STS's mx check.
        TestZone hosting = world.tld.child("attacker-hosting.test");
        String address = world.nextAddress();
        TestCertificate cert = selfSigned("mx.attacker-hosting.test");
        hosting.a("mx.attacker-hosting.test", address)
                .tlsa("_" + world.deliveryPort() + "._tcp.mx.attacker-hosting.test", daneEe(cert));
        TestZone victim = world.tld.unsignedChild("forged-mx.test")
                .mx("forged-mx.test", 10, "mx.attacker-hosting.test");
        world.stsPolicy(victim, "forged-mx.test", "1", policy("enforce", "mx.forged-mx.test"));
        TestSmtpServer mx = world.mx(address, startTls(cert));

        String id = world.submit("alice@forged-mx.test");

        world.awaitPolicyDeferral(id, "alice@forged-mx.test", mx);
    }

    @Test
    void aFullDaneTaAnchorIsUsedThoughTheServerSendsItsChainWithoutItAndOutOfOrder() throws Exception {
        // RFC 7671 §5.2.2-5.2.3: 2 0 0 carries the whole anchor; RFC 8446 §4.4.2: any order, extra certificates.
        Destination d = world.secureDestination("dane-ta-full");
        TestCertificate root = TestCertificate.builder().commonName("Full TA root").ca().build();
        TestCertificate ca = TestCertificate.builder().commonName("Full TA issuing CA").ca().issuedBy(root).build();
        TestCertificate leaf = TestCertificate.builder().dnsNames(d.host()).issuedBy(ca).build();
        TestCertificate stranger = TestCertificate.builder().commonName("Unrelated CA").ca().build();
        d.zone().tlsa(d.tlsaOwner(), "2 0 0 " + java.util.HexFormat.of().formatHex(root.certificate().getEncoded()));
        TestSmtpServer mx = world.mx(d.address(), SmtpBehavior.builder().startTls(leaf.serverContext(
                List.of(leaf.certificate(), stranger.certificate(), ca.certificate()))).build());

        world.submit(d.rcpt());

        ReceivedTransaction t = awaitDelivery(mx);
        assertThat(t.tls()).isTrue();
        assertThat(t.sni()).isEqualTo(d.host());
    }

    @Test
    void aSecureNsec3DenialOfTlsaMeansNoDaneAndOpportunisticTls() throws Exception {
        Destination d = world.destination(world.tld.child("nsec3.test").nsec3(), "nsec3.test");
        TestSmtpServer mx = world.mx(d.address(), startTls(selfSigned("x.example")));

        world.submit(d.rcpt());

        assertThat(awaitDelivery(mx).tls()).isTrue();
    }

    @Test
    void whenTheFirstMxFailsDaneTheSecondMxThatPassesGetsTheMessage() throws Exception {
        TestZone zone = world.tld.child("dane-two-mx.test");
        String first = world.nextAddress();
        String second = world.nextAddress();
        TestCertificate cert = selfSigned("x.example");
        String port = "_" + world.deliveryPort() + "._tcp.";
        zone.mx("dane-two-mx.test", 10, "mx1.dane-two-mx.test").a("mx1.dane-two-mx.test", first)
                .tlsa(port + "mx1.dane-two-mx.test", daneEe(selfSigned("other.example")))
                .mx("dane-two-mx.test", 20, "mx2.dane-two-mx.test").a("mx2.dane-two-mx.test", second)
                .tlsa(port + "mx2.dane-two-mx.test", daneEe(cert));
        TestSmtpServer mx1 = world.mx(first, startTls(cert));
        TestSmtpServer mx2 = world.mx(second, startTls(cert));

        world.submit("alice@dane-two-mx.test");

        ReceivedTransaction t = awaitDelivery(mx2);
        assertThat(t.tls()).isTrue();
        assertThat(t.sni()).isEqualTo("mx2.dane-two-mx.test");
        assertThat(mx1.received("MAIL")).isFalse();
    }

    /** STARTTLS presenting the leaf and its self-signed issuer, which a DANE-TA record names. */
    private static SmtpBehavior startTlsWithAnchor(TestCertificate leaf, TestCertificate anchor) {
        return SmtpBehavior.builder().startTls(leaf.serverContext(List.of(leaf.certificate(), anchor.certificate())))
                .build();
    }

    @Test
    void aDaneEeMatchIgnoresAnExpiredCertificate() throws Exception {
        Destination d = world.secureDestination("dane-ee-expired");
        TestCertificate cert = TestCertificate.builder().dnsNames(d.host()).expired().build();
        d.zone().tlsa(d.tlsaOwner(), daneEe(cert));
        TestSmtpServer mx = world.mx(d.address(), startTls(cert));

        world.submit(d.rcpt());

        assertThat(awaitDelivery(mx).tls()).isTrue();
    }

    @Test
    void aSecureCnameForTheMxHostMakesItsTargetTheTlsaBaseAndSniName() throws Exception {
        // RFC 7672 §2.2.2: TLSA at the CNAME-expanded name first; SNI is the TLSA base domain.
        TestZone zone = world.tld.child("dane-cname.test");
        String address = world.nextAddress();
        TestCertificate cert = selfSigned("x.example");
        zone.mx("dane-cname.test", 10, "mx.dane-cname.test").cname("mx.dane-cname.test", "real.dane-cname.test")
                .a("real.dane-cname.test", address)
                .tlsa("_" + world.deliveryPort() + "._tcp.real.dane-cname.test", daneEe(cert));
        TestSmtpServer mx = world.mx(address, startTls(cert));

        world.submit("alice@dane-cname.test");

        ReceivedTransaction t = awaitDelivery(mx);
        assertThat(t.tls()).isTrue();
        assertThat(t.sni()).isEqualTo("real.dane-cname.test");
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
                Arguments.of("a TLSA mismatch even though a valid MTA-STS policy lists the MX", "mismatch-under-sts",
                        (Setup) (d, cert) -> {
                            d.zone().tlsa(d.tlsaOwner(), daneEe(selfSigned("other.example")));
                            world.stsPolicy(d.zone(), d.domain(), "1", policy("enforce", d.host()));
                            return startTls(world.webPkiCertificate(d.host()));
                        }),
                Arguments.of("a DANE-TA match whose leaf names neither the MX host nor the TLSA base", "ta-wrong-name",
                        (Setup) (d, cert) -> {
                            TestCertificate ca = TestCertificate.builder().commonName("TA").ca().build();
                            d.zone().tlsa(d.tlsaOwner(), daneTa(ca));
                            return startTlsWithAnchor(TestCertificate.builder().dnsNames("mx.elsewhere.example").issuedBy(ca)
                                    .build(), ca);
                        }),
                Arguments.of("a DANE-TA match whose leaf has expired", "ta-expired",
                        (Setup) (d, cert) -> {
                            TestCertificate ca = TestCertificate.builder().commonName("TA").ca().build();
                            d.zone().tlsa(d.tlsaOwner(), daneTa(ca));
                            return startTlsWithAnchor(TestCertificate.builder().dnsNames(d.host()).expired().issuedBy(ca)
                                    .build(), ca);
                        }),
                Arguments.of("only unusable TLSA records, an enforced MTA-STS policy and a self-signed certificate",
                        "encrypt-only-under-sts",
                        (Setup) (d, cert) -> {
                            // DANE without usable records authenticates nothing, so it must not displace the
                            // PKIX check MTA-STS enforce demands (RFC 8461 §2, RFC 7672 §3.1.3).
                            d.zone().tlsa(d.tlsaOwner(), "1 1 1 " + RelayWorld.sha256(
                                    cert.certificate().getPublicKey().getEncoded()));
                            world.stsPolicy(d.zone(), d.domain(), "1", policy("enforce", d.host()));
                            return startTls(cert);
                        }),
                Arguments.of("a TLSA lookup answered with SERVFAIL", "servfail-tlsa",
                        (Setup) (d, cert) -> {
                            world.dns.misbehave(d.tlsaOwner(), Misbehaviour.SERVFAIL);
                            return startTls(cert);
                        }),
                Arguments.of("a matching TLSA record and a server that injects a reply after STARTTLS", "dane-injection",
                        (Setup) (d, cert) -> {
                            d.zone().tlsa(d.tlsaOwner(), daneEe(cert));
                            return startTls(cert).toBuilder().injectAfterStartTls("250 injected\r\n").build();
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

        world.awaitPolicyDeferral(id, d.rcpt(), mx);
        assertThat(mx.transactions()).isEmpty();
    }
}
