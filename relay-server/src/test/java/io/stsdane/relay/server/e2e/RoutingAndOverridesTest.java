package io.stsdane.relay.server.e2e;

import static io.stsdane.relay.server.e2e.RelayWorld.awaitDelivery;
import static io.stsdane.relay.server.e2e.RelayWorld.daneEe;
import static io.stsdane.relay.server.e2e.RelayWorld.selfSigned;
import static io.stsdane.relay.server.e2e.RelayWorld.startTls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stsdane.relay.testkit.dns.Misbehaviour;
import io.stsdane.relay.testkit.dns.TestZone;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.ReceivedTransaction;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing verdicts, opportunistic TLS, local {@code policies:} overrides and REQUIRETLS through the whole relay.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoutingAndOverridesTest {

    @TempDir
    static Path dir;

    private RelayWorld world;

    @BeforeAll
    void startRelay() throws Exception {
        world = new RelayWorld(dir, List.of(), """
                policies:
                  verify-ok.test: verify
                  verify-selfsigned.test: verify
                  override-none.test: none
                  override-dane.test: dane
                  override-encrypt.test: encrypt
                  reuse-none.test: none
                """);
    }

    @AfterAll
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    @Test
    void withoutAnyPolicyASelfSignedCertificateStillGetsTls() throws Exception {
        Destination d = world.secureDestination("opportunistic");
        TestSmtpServer mx = world.mx(d.address(), startTls(selfSigned("mx.elsewhere.example")));

        world.submit(d.rcpt());

        ReceivedTransaction t = awaitDelivery(mx);
        assertThat(t.tls()).isTrue();
        assertThat(t.sni()).isEqualTo(d.host());
    }

    @Test
    void withoutAnyPolicyAServerWithoutStartTlsGetsTheMessageInPlaintext() throws Exception {
        Destination d = world.secureDestination("plaintext");
        TestSmtpServer mx = world.mx(d.address(), SmtpBehavior.plain());

        world.submit(d.rcpt());

        assertThat(awaitDelivery(mx).tls()).isFalse();
    }

    @Test
    void withoutAnyPolicyAFailedHandshakeIsRetriedInPlaintextOnANewConnection() throws Exception {
        Destination d = world.secureDestination("handshake-fails");
        // A server context without a key: STARTTLS is offered but no handshake can succeed.
        SSLContext keyless = SSLContext.getInstance("TLS");
        keyless.init(null, null, null);
        TestSmtpServer mx = world.mx(d.address(), SmtpBehavior.builder().startTls(keyless).build());

        world.submit(d.rcpt());

        ReceivedTransaction t = awaitDelivery(mx);
        assertThat(t.tls()).isFalse();
        assertThat(t.connection()).isGreaterThan(1);
    }

    @Test
    void aStartTlsInjectionIsNeverAnsweredWithAPlaintextRetryEvenWithoutPolicy() throws Exception {
        Destination d = world.secureDestination("opportunistic-injection");
        TestSmtpServer mx = world.mx(d.address(), startTls(selfSigned(d.host())).toBuilder()
                .injectAfterStartTls("250 injected\r\n").build());

        String id = world.submit(d.rcpt());

        world.awaitPolicyDeferral(id, d.rcpt(), mx);
    }

    @Test
    void aFirstMxThatGreetsWith421IsSkippedForTheSecond() throws Exception {
        TestZone zone = world.tld.child("busy-mx.test");
        String busy = world.nextAddress();
        String second = world.nextAddress();
        zone.mx("busy-mx.test", 10, "mx1.busy-mx.test").a("mx1.busy-mx.test", busy)
                .mx("busy-mx.test", 20, "mx2.busy-mx.test").a("mx2.busy-mx.test", second);
        world.mx(busy, SmtpBehavior.builder().greeting("421 4.3.2 busy").build());
        TestSmtpServer mx2 = world.mx(second, SmtpBehavior.plain());

        world.submit("alice@busy-mx.test");

        assertThat(awaitDelivery(mx2).recipients()).singleElement().asString().contains("alice@busy-mx.test");
    }

    @Test
    void aNullMxBouncesAtOnceWith5110() throws Exception {
        world.tld.child("nullmx.test").mx("nullmx.test", 0, ".");

        world.submit("alice@nullmx.test");

        world.awaitBounce("alice@nullmx.test", "5.1.10");
    }

    @Test
    void aDomainThatDoesNotExistBouncesWith512() throws Exception {
        world.submit("alice@no-such-domain.test");

        world.awaitBounce("alice@no-such-domain.test", "5.1.2");
    }

    @Test
    void anMxLookupAnsweredWithServfailDefersWith475() throws Exception {
        // With DNSSEC validation on, a failed lookup is a DNSSEC failure (bogus or indeterminate), never a reason
        // to go on without it; 4.4.3 is only for relays that run with dns.dnssec off.
        world.tld.child("servfail-mx.test");
        world.dns.misbehave("servfail-mx.test", Misbehaviour.SERVFAIL);

        String id = world.submit("alice@servfail-mx.test");

        world.awaitDeferred(id, "alice@servfail-mx.test", "4.7.5");
    }

    @Test
    void whenTheFirstMxRefusesConnectionsTheSecondGetsTheMessage() throws Exception {
        TestZone zone = world.tld.child("two-mx.test");
        String refusing = world.nextAddress(); // nothing listens there
        String second = world.nextAddress();
        zone.mx("two-mx.test", 10, "mx1.two-mx.test").a("mx1.two-mx.test", refusing)
                .mx("two-mx.test", 20, "mx2.two-mx.test").a("mx2.two-mx.test", second);
        TestSmtpServer mx2 = world.mx(second, SmtpBehavior.plain());

        world.submit("alice@two-mx.test");

        assertThat(awaitDelivery(mx2).recipients()).singleElement().asString().contains("alice@two-mx.test");
    }

    @Test
    void aVerifyOverrideDeliversOverTlsWhenTheCertificateIsPkixValidForTheMx() throws Exception {
        Destination d = world.secureDestination("verify-ok");
        TestSmtpServer mx = world.mx(d.address(), startTls(world.webPkiCertificate(d.host())));

        world.submit(d.rcpt());

        ReceivedTransaction t = awaitDelivery(mx);
        assertThat(t.tls()).isTrue();
        assertThat(t.sni()).isEqualTo(d.host());
    }

    @Test
    void aVerifyOverrideDefersWhenTheCertificateIsNotPkixValid() throws Exception {
        Destination d = world.secureDestination("verify-selfsigned");
        TestSmtpServer mx = world.mx(d.address(), startTls(selfSigned(d.host())));

        String id = world.submit(d.rcpt());

        world.awaitPolicyDeferral(id, d.rcpt(), mx);
    }

    @Test
    void aNoneOverrideSendsPlaintextEvenWhenStartTlsIsOffered() throws Exception {
        Destination d = world.secureDestination("override-none");
        TestSmtpServer mx = world.mx(d.address(), startTls(selfSigned(d.host())));

        world.submit(d.rcpt());

        assertThat(awaitDelivery(mx).tls()).isFalse();
        assertThat(mx.received("STARTTLS")).isFalse();
    }

    @Test
    void aDaneOverrideDefersADomainWithoutTlsaRecords() throws Exception {
        Destination d = world.secureDestination("override-dane");
        TestSmtpServer mx = world.mx(d.address(), startTls(selfSigned(d.host())));

        String id = world.submit(d.rcpt());

        world.awaitPolicyDeferral(id, d.rcpt(), mx);
    }

    @Test
    void anEncryptOverrideDefersAServerWithoutStartTls() throws Exception {
        Destination d = world.secureDestination("override-encrypt");
        TestSmtpServer mx = world.mx(d.address(), SmtpBehavior.plain());

        String id = world.submit(d.rcpt());

        world.awaitPolicyDeferral(id, d.rcpt(), mx);
    }

    @Test
    void oneMessageToTwoDomainsIsDeliveredToTheGoodOneAndDeferredForTheOther() throws Exception {
        Destination good = world.secureDestination("split-good");
        Destination bad = world.secureDestination("split-bad");
        bad.zone().tlsa(bad.tlsaOwner(), daneEe(selfSigned("other.example")));
        TestSmtpServer goodMx = world.mx(good.address(), SmtpBehavior.plain());
        TestSmtpServer badMx = world.mx(bad.address(), startTls(selfSigned(bad.host())));

        String id = world.submit(List.of(good.rcpt(), bad.rcpt()), "");

        assertThat(awaitDelivery(goodMx).recipients()).singleElement().asString().contains(good.rcpt());
        world.awaitPolicyDeferral(id, bad.rcpt(), badMx);
    }

    @Test
    void aPlaintextSessionForANoneOverrideIsNotReusedForADaneDomainOnTheSameMx() throws Exception {
        Destination dane = world.secureDestination("reuse-dane");
        TestCertificate cert = selfSigned(dane.host());
        dane.zone().tlsa(dane.tlsaOwner(), daneEe(cert));
        world.tld.child("reuse-none.test").mx("reuse-none.test", 10, dane.host());
        TestSmtpServer mx = world.mx(dane.address(), startTls(cert));

        world.submit("bob@reuse-none.test");
        assertThat(awaitDelivery(mx).tls()).isFalse();
        world.submit(dane.rcpt());

        await().atMost(Duration.ofSeconds(30)).until(() -> mx.transactions().size() == 2);
        ReceivedTransaction second = mx.transactions().get(1);
        assertThat(second.recipients()).singleElement().asString().contains(dane.rcpt());
        assertThat(second.tls()).isTrue();
    }

    @Test
    void aRequireTlsMessageToAnInsecureMxWithoutMtaStsBouncesWith5710() throws Exception {
        Destination d = world.destination(world.tld.unsignedChild("requiretls-insecure.test"),
                "requiretls-insecure.test");
        TestSmtpServer mx = world.mx(d.address(),
                startTls(world.webPkiCertificate(d.host())).toBuilder().requireTls(true).build());

        world.submit(d.rcpt(), "REQUIRETLS");

        // RFC 8689 §4.2.1: an unsigned MX RRset may name an attacker's host, whatever certificate it shows;
        // with no MTA-STS policy to vouch for the name: 5.7.10, not even a connection.
        world.awaitBounce(d.rcpt(), "5.7.10");
        assertThat(mx.connections()).isZero();
    }

    @Test
    void aRequireTlsMessageIsDeliveredToASecureMxWithAPkixValidCertificateWithoutDaneOrMtaSts() throws Exception {
        Destination d = world.secureDestination("requiretls-pkix");
        TestSmtpServer mx = world.mx(d.address(),
                startTls(world.webPkiCertificate(d.host())).toBuilder().requireTls(true).build());

        world.submit(d.rcpt(), "REQUIRETLS");

        ReceivedTransaction t = awaitDelivery(mx);
        assertThat(t.tls()).isTrue();
        assertThat(t.sni()).isEqualTo(d.host());
        assertThat(t.mailFrom()).contains("REQUIRETLS");
    }

    @Test
    void aRequireTlsMessageIsNotSentToASecureMxWhoseCertificateIsNotValidForItsName() throws Exception {
        Destination d = world.secureDestination("requiretls-wrongname");
        TestSmtpServer mx = world.mx(d.address(),
                startTls(world.webPkiCertificate("mx.elsewhere.test")).toBuilder().requireTls(true).build());

        String id = world.submit(d.rcpt(), "REQUIRETLS");

        world.awaitPolicyDeferral(id, d.rcpt(), mx);
    }

    @Test
    void aRequireTlsMessageToASecureMxWithoutRequireTlsSupportBouncesWith5730() throws Exception {
        Destination d = world.secureDestination("requiretls-unsupported");
        TestSmtpServer mx = world.mx(d.address(), startTls(world.webPkiCertificate(d.host())));

        world.submit(d.rcpt(), "REQUIRETLS");

        world.awaitBounce(d.rcpt(), "5.7.30");
        assertThat(mx.received("MAIL")).isFalse();
    }

    @Test
    void aRequireTlsMessageIsDeliveredOverDaneVerifiedTlsWithTheRequireTlsParameter() throws Exception {
        Destination d = world.secureDestination("requiretls-dane");
        TestCertificate cert = selfSigned(d.host());
        d.zone().tlsa(d.tlsaOwner(), daneEe(cert));
        TestSmtpServer mx = world.mx(d.address(), startTls(cert).toBuilder().requireTls(true).build());

        world.submit(d.rcpt(), "REQUIRETLS");

        ReceivedTransaction t = awaitDelivery(mx);
        assertThat(t.tls()).isTrue();
        assertThat(t.mailFrom()).contains("REQUIRETLS");
    }
}
