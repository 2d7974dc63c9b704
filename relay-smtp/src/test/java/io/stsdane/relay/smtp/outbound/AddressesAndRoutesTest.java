package io.stsdane.relay.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.delivery.RecipientOutcome.Kind;
import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnssecMode;
import io.stsdane.relay.core.net.Cidr;
import io.stsdane.relay.core.net.HostPort;
import io.stsdane.relay.dns.DnsResolvers;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.dns.Misbehaviour;
import io.stsdane.relay.testkit.dns.TestZone;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

/**
 * How the engine turns a destination into hosts and addresses (RFC 5321 §5.1): real DNS answers from the
 * signed-zone fixture through the validating resolver, a real SMTP server on loopback.
 */
class AddressesAndRoutesTest {

    @TempDir
    Path dir;

    private DnsTestServer dns;
    private TestZone signed;
    private TestZone unsigned;
    private TestSmtpServer server;
    private DeliveryEngine engine;

    @BeforeEach
    void start() {
        dns = DnsTestServer.start();
        TestZone test = dns.root().child("test");
        signed = test.child("signed.test");
        unsigned = test.unsignedChild("plain.test");
        server = TestSmtpServer.start(EngineFixture.addr("127.0.0.1"), SmtpBehavior.plain());
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
        server.close();
        dns.close();
    }

    /** Delivery to {@code domain} with the default options except loopback allowed, unless {@code tweak} says. */
    private List<RecipientOutcome> deliver(String domain, Consumer<DeliveryOptions.Builder> tweak) {
        return deliver(domain, List.of(), tweak);
    }

    private List<RecipientOutcome> deliver(String domain, List<String> insecureDomains,
            Consumer<DeliveryOptions.Builder> tweak) {
        DnsOptions options = new DnsOptions(List.of(dns.address()), DnssecMode.VALIDATE, dns.trustAnchorFile(dir),
                false, Duration.ofMillis(500), 0, 1000, insecureDomains);
        var resolver = DnsResolvers.create(options);
        DeliveryOptions.Builder b = DeliveryOptions.builder("relay.origin.test")
                .port(server.port())
                .connectTimeout(Duration.ofSeconds(5))
                .timeouts(SmtpTimeouts.uniform(Duration.ofSeconds(10)))
                .deniedNetworks(List.of())
                .hostsFile(HostsFile.parse(""));
        tweak.accept(b);
        engine = new DeliveryEngine(b.build(), resolver, List.of(), r -> { }, null);
        try {
            return engine.deliver(Messages.simple(domain, "a@" + domain)).toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("deliver must complete normally", e);
        }
    }

    private List<RecipientOutcome> deliver(String domain) {
        return deliver(domain, b -> { });
    }

    private static void assertDelivered(List<RecipientOutcome> outcomes) {
        assertThat(outcomes).singleElement().satisfies(o -> assertThat(o.kind()).as(o.diagnostic())
                .isEqualTo(Kind.DELIVERED));
    }

    private static void assertOutcome(List<RecipientOutcome> outcomes, Kind kind, String status) {
        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.kind()).as(o.diagnostic()).isEqualTo(kind);
            assertThat(o.status()).as(o.diagnostic()).isEqualTo(status);
        });
    }

    // Issue 15 item 5: one failed address family.

    @Test
    void aFailedAaaaQueryForAnMxHostInAnUnsignedZoneStillDeliversToItsIpv4Address() {
        unsigned.mx("plain.test", 10, "mx.plain.test").a("mx.plain.test", "127.0.0.1");
        dns.misbehave("mx.plain.test", Type.AAAA, Misbehaviour.SERVFAIL);

        assertDelivered(deliver("plain.test"));
        assertThat(server.transactions()).hasSize(1);
    }

    @Test
    void aFailedAaaaQueryForAnMxHostInASignedZoneDefersWithoutConnecting() {
        signed.mx("signed.test", 10, "mx.signed.test").a("mx.signed.test", "127.0.0.1");
        dns.misbehave("mx.signed.test", Type.AAAA, Misbehaviour.DROP);

        assertOutcome(deliver("signed.test"), Kind.DEFERRED, "4.7.5");
        assertThat(server.connections()).isZero();
    }

    // Issue 15 item 6: no route is permanent, when the negative answers are authoritative.

    @Test
    void aDomainWithoutMxAndWithoutAddressBouncesInAnUnsignedZone() {
        unsigned.txt("plain.test", "no mail here");

        List<RecipientOutcome> out = deliver("plain.test");

        assertOutcome(out, Kind.BOUNCED, "5.1.2");
        assertThat(out.get(0).diagnostic()).contains("no mail route");
    }

    @Test
    void aDomainWithoutMxAndWithoutAddressBouncesInASignedZone() {
        signed.txt("signed.test", "no mail here");

        assertOutcome(deliver("signed.test"), Kind.BOUNCED, "5.1.2");
    }

    @Test
    void mxHostsThatDoNotExistBounceAsUnroutable() {
        unsigned.mx("plain.test", 10, "mx1.plain.test").mx("plain.test", 20, "gone.signed.test");

        List<RecipientOutcome> out = deliver("plain.test");

        assertOutcome(out, Kind.BOUNCED, "5.4.4");
        assertThat(out.get(0).diagnostic()).contains("mx1.plain.test does not exist", "gone.signed.test");
    }

    @Test
    void anMxHostWhoseAddressQueryTimesOutStaysTemporaryBesideOneThatDoesNotExist() {
        unsigned.mx("plain.test", 10, "mx1.plain.test").mx("plain.test", 20, "slow.plain.test")
                .a("slow.plain.test", "127.0.0.1");
        dns.misbehave("slow.plain.test", Misbehaviour.DROP);

        assertThat(deliver("plain.test")).singleElement().extracting(RecipientOutcome::kind)
                .isEqualTo(Kind.DEFERRED);
    }

    @Test
    void aBogusAnswerForTheImplicitMxStaysTemporary() {
        signed.txt("signed.test", "no mail here").corruptSignatures("signed.test");

        assertThat(deliver("signed.test")).singleElement().extracting(RecipientOutcome::kind)
                .isEqualTo(Kind.DEFERRED);
    }

    // Issue 15 item 7: the smart host is a host.

    @Test
    void localhostAsSmartHostIsReachedThroughTheHostsFileEvenWhereDnsWouldCallItBogus() {
        dns.root().a("localhost", "127.0.0.1").corruptSignatures("localhost");

        assertDelivered(deliver("plain.test", b -> b.deniedNetworks(DeliveryOptions.DEFAULT_DENIED_NETWORKS)
                .smartHost(new SmartHost(HostPort.parse("localhost:" + server.port(), 25)))));
        assertThat(server.transactions()).hasSize(1);
    }

    @Test
    void anInternalSmartHostNameWorksUnderValidationOnlyWhenItsDomainIsDeclaredInsecure() {
        dns.root().childWithWrongDs("corp").a("smtp.corp", "127.0.0.1");
        Consumer<DeliveryOptions.Builder> viaSmartHost = b -> b
                .smartHost(new SmartHost(HostPort.parse("smtp.corp:" + server.port(), 25)));

        assertOutcome(deliver("plain.test", viaSmartHost), Kind.DEFERRED, "4.7.5");
        engine.close();
        assertDelivered(deliver("plain.test", List.of("corp"), viaSmartHost));
    }

    // Issue 21 item 3: never to the relay itself, never to denied networks from DNS.

    @Test
    void anMxAddressWhereTheRelayListensBouncesAsALoop() {
        unsigned.mx("plain.test", 10, "mx.plain.test").a("mx.plain.test", "127.0.0.1");

        List<RecipientOutcome> out = deliver("plain.test", b -> b.listeners(List.of(
                new InetSocketAddress(EngineFixture.addr("127.0.0.1"), server.port()))));

        assertOutcome(out, Kind.BOUNCED, "5.4.6");
        assertThat(out.get(0).diagnostic()).contains("loops back to myself");
        assertThat(server.connections()).isZero();
    }

    @Test
    void aWildcardListenerMatchesALocalAddressAsALoop() {
        unsigned.mx("plain.test", 10, "mx.plain.test").a("mx.plain.test", "127.0.0.1");

        assertOutcome(deliver("plain.test", b -> b.listeners(List.of(new InetSocketAddress(server.port())))),
                Kind.BOUNCED, "5.4.6");
        assertThat(server.connections()).isZero();
    }

    @Test
    void mxAddressesInTheDefaultDeniedNetworksAreNotConnectedTo() {
        unsigned.mx("plain.test", 10, "mx.plain.test").a("mx.plain.test", "127.0.0.1")
                .aaaa("mx.plain.test", "fe80::1");

        List<RecipientOutcome> out = deliver("plain.test",
                b -> b.deniedNetworks(DeliveryOptions.DEFAULT_DENIED_NETWORKS));

        assertOutcome(out, Kind.BOUNCED, "5.4.4");
        assertThat(out.get(0).diagnostic()).contains("delivery.denied-networks", "127.0.0.1", "fe80:0:0:0:0:0:0:1");
        assertThat(server.connections()).isZero();
    }

    @Test
    void aDeniedMxHostIsSkippedAndTheNextOneTakesTheMail() {
        unsigned.mx("plain.test", 10, "mx1.plain.test").a("mx1.plain.test", "127.0.0.2")
                .mx("plain.test", 20, "mx2.plain.test").a("mx2.plain.test", "127.0.0.1");

        assertOutcome(deliver("plain.test", b -> b.deniedNetworks(List.of(Cidr.parse("127.0.0.2/32")))),
                Kind.DELIVERED, "2.0.0");
        assertThat(server.transactions()).hasSize(1);
    }
}
