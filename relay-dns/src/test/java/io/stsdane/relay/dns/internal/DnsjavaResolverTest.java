package io.stsdane.relay.dns.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.dns.DnssecMode;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.dns.TlsaRecord;
import io.stsdane.relay.dns.DnsResolvers;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.dns.Misbehaviour;
import io.stsdane.relay.testkit.dns.TestZone;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Type;

/** The dnsjava resolver against the in-process signed DNS tree, over real UDP and TCP. */
class DnsjavaResolverTest {

    /**
     * No query goes unanswered unless a test says so: a long timeout costs nothing, and its lookup budget (four
     * times the timeout) leaves a busy machine time to validate a chain; 2.8 s was seen running out.
     */
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** For the tests that drop queries: they wait this long for each. */
    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(700);
    private static final String TLSA = "3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";

    @TempDir
    Path dir;

    private DnsTestServer dns;
    private TestZone example;
    private TestZone plain;
    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;

    @BeforeEach
    void zones() {
        dns = DnsTestServer.start();
        TestZone com = dns.root().child("com");
        example = com.child("example.com")
                .mx("example.com", 10, "mx.example.com")
                .a("mx.example.com", "192.0.2.1")
                .aaaa("mx.example.com", "2001:db8::1")
                .tlsa("_25._tcp.mx.example.com", TLSA)
                .txt("example.com", "v=STSv1; id=1")
                .cname("alias.example.com", "mx.example.com");
        plain = com.unsignedChild("plain.com")
                .mx("plain.com", 10, "mx.plain.com")
                .a("mx.plain.com", "192.0.2.2");
        com.childWithWrongDs("broken.com").mx("broken.com", 10, "mx.broken.com");
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    @Test
    void signedMxIsSecure() {
        DnsResult<MxRecord> mx = get(resolver(DnssecMode.VALIDATE).mx("example.com"));
        assertThat(mx.status()).isEqualTo(DnsStatus.NOERROR);
        assertThat(mx.security()).isEqualTo(DnsSecurity.SECURE);
        assertThat(mx.records()).containsExactly(new MxRecord(10, "mx.example.com"));
        assertThat(mx.ttlSeconds()).isEqualTo(300);
    }

    @Test
    void unsignedDelegationIsInsecure() {
        DnsResult<MxRecord> mx = get(resolver(DnssecMode.VALIDATE).mx("plain.com"));
        assertThat(mx.status()).isEqualTo(DnsStatus.NOERROR);
        assertThat(mx.security()).isEqualTo(DnsSecurity.INSECURE);
    }

    @Test
    void badSignatureExpiredSignatureAndWrongDsAreBogus() {
        example.a("bad.example.com", "192.0.2.3").corruptSignatures("bad.example.com");
        example.a("old.example.com", "192.0.2.4").expireSignatures("old.example.com");
        DnsResolver r = resolver(DnssecMode.VALIDATE);
        for (CompletionStage<? extends DnsResult<?>> s : List.of(r.mx("broken.com"), r.addresses("bad.example.com"),
                r.addresses("old.example.com"))) {
            DnsResult<?> result = get((CompletionStage<? extends DnsResult<?>>) s);
            assertThat(result.status()).as(result.name()).isEqualTo(DnsStatus.ERROR);
            assertThat(result.security()).as(result.name()).isEqualTo(DnsSecurity.BOGUS);
            assertThat(result.reason()).as(result.name()).isNotEmpty();
        }
    }

    @Test
    void securelyDeniedTlsaIsASecureNegative() {
        DnsResolver r = resolver(DnssecMode.VALIDATE);
        DnsResult<TlsaRecord> nx = get(r.tlsa("_25._tcp.nothing.example.com"));
        assertThat(nx.status()).isEqualTo(DnsStatus.NXDOMAIN);
        assertThat(nx.security()).isEqualTo(DnsSecurity.SECURE);
        DnsResult<TlsaRecord> nodata = get(r.tlsa("mx.example.com"));
        assertThat(nodata.status()).isEqualTo(DnsStatus.NODATA);
        assertThat(nodata.security()).isEqualTo(DnsSecurity.SECURE);
    }

    @Test
    void tlsaAndTxtRecordsAreDecoded() {
        DnsResolver r = resolver(DnssecMode.VALIDATE);
        DnsResult<TlsaRecord> tlsa = get(r.tlsa("_25._tcp.mx.example.com"));
        assertThat(tlsa.security()).isEqualTo(DnsSecurity.SECURE);
        assertThat(tlsa.records()).extracting(TlsaRecord::toString).containsExactly(TLSA);
        assertThat(get(r.txt("example.com")).records()).containsExactly("v=STSv1; id=1");
    }

    @Test
    void addressesListIpv6FirstWithCombinedSecurity() throws Exception {
        DnsResult<InetAddress> a = get(resolver(DnssecMode.VALIDATE).addresses("mx.example.com"));
        assertThat(a.security()).isEqualTo(DnsSecurity.SECURE);
        assertThat(a.records()).containsExactly(InetAddress.getByName("2001:db8::1"),
                InetAddress.getByName("192.0.2.1"));
    }

    @Test
    void aAndAaaaAskOneFamilyEachAndPtrTargetsAreCanonicalNames() throws Exception {
        example.record("1.2.0.192.example.com", Type.PTR, "Mx.Example.COM.");
        DnsResolver r = resolver(DnssecMode.VALIDATE);

        assertThat(get(r.a("mx.example.com")).records()).containsExactly(InetAddress.getByName("192.0.2.1"));
        assertThat(get(r.aaaa("mx.example.com")).records()).containsExactly(InetAddress.getByName("2001:db8::1"));
        assertThat(get(r.aaaa("mx.plain.com"))).satisfies(none -> {
            assertThat(none.status()).isEqualTo(DnsStatus.NODATA);
            assertThat(none.security()).isEqualTo(DnsSecurity.INSECURE);
        });
        DnsResult<String> ptr = get(r.ptr("1.2.0.192.example.com"));
        assertThat(ptr.security()).isEqualTo(DnsSecurity.SECURE);
        assertThat(ptr.records()).containsExactly("mx.example.com");
    }

    @ParameterizedTest
    @EnumSource(value = Misbehaviour.class, names = {"SERVFAIL", "DROP"})
    void aFailedAaaaQueryBesideAnInsecureAnswerKeepsTheAddressesThatCameBack(Misbehaviour how) throws Exception {
        dns.misbehave("mx.plain.com", Type.AAAA, how);
        DnsResult<InetAddress> a = get(resolver(DnssecMode.VALIDATE, SHORT_TIMEOUT).addresses("mx.plain.com"));
        assertThat(a.status()).isEqualTo(DnsStatus.NOERROR);
        assertThat(a.security()).isEqualTo(DnsSecurity.INSECURE);
        assertThat(a.isUsable()).isTrue();
        assertThat(a.records()).containsExactly(InetAddress.getByName("192.0.2.2"));
        assertThat(a.reason()).isNotEmpty();
    }

    @Test
    void aFailedAQueryBesideAnInsecureAaaaAnswerKeepsTheIpv6Addresses() throws Exception {
        plain.aaaa("v6.plain.com", "2001:db8::2");
        dns.misbehave("v6.plain.com", Type.A, Misbehaviour.SERVFAIL);
        DnsResult<InetAddress> a = get(resolver(DnssecMode.VALIDATE).addresses("v6.plain.com"));
        assertThat(a.isUsable()).isTrue();
        assertThat(a.records()).containsExactly(InetAddress.getByName("2001:db8::2"));
    }

    @Test
    void aFailedHalfBesideAnInsecureNegativeAnswerIsAnInsecureError() {
        dns.misbehave("mx.plain.com", Type.A, Misbehaviour.SERVFAIL);
        DnsResult<InetAddress> a = get(resolver(DnssecMode.VALIDATE).addresses("mx.plain.com"));
        assertThat(a.status()).isEqualTo(DnsStatus.ERROR);
        assertThat(a.security()).isEqualTo(DnsSecurity.INSECURE);
    }

    @ParameterizedTest
    @EnumSource(value = Misbehaviour.class, names = {"SERVFAIL", "DROP"})
    void aFailedAaaaQueryInASignedZoneStaysIndeterminate(Misbehaviour how) {
        dns.misbehave("mx.example.com", Type.AAAA, how);
        DnsResult<InetAddress> a = get(resolver(DnssecMode.VALIDATE, SHORT_TIMEOUT).addresses("mx.example.com"));
        assertThat(a.security()).isEqualTo(DnsSecurity.INDETERMINATE);
        assertThat(a.isUsable()).isFalse();
    }

    @Test
    void namesAtOrBelowAnInsecureDomainAreAnsweredUnvalidatedAndInsecure() throws Exception {
        dns.root().childWithWrongDs("corp").a("smtp.corp", "10.0.0.25");
        assertThat(get(resolver(DnssecMode.VALIDATE).addresses("smtp.corp")).security())
                .isEqualTo(DnsSecurity.BOGUS);

        DnsResolver r = ResolverFactory.create(options(DnssecMode.VALIDATE).withInsecureDomains(List.of("corp")),
                ticker);
        DnsResult<InetAddress> a = get(r.addresses("smtp.corp"));
        assertThat(a.status()).isEqualTo(DnsStatus.NOERROR);
        assertThat(a.security()).isEqualTo(DnsSecurity.INSECURE);
        assertThat(a.records()).containsExactly(InetAddress.getByName("10.0.0.25"));
        assertThat(get(r.mx("example.com")).security()).as("other names are still validated")
                .isEqualTo(DnsSecurity.SECURE);
        assertThat(get(r.mx("broken.com")).security()).isEqualTo(DnsSecurity.BOGUS);
    }

    @Test
    void secureCnameChainIsFollowedAndStaysSecure() {
        DnsResult<InetAddress> a = get(resolver(DnssecMode.VALIDATE).addresses("alias.example.com"));
        assertThat(a.security()).isEqualTo(DnsSecurity.SECURE);
        assertThat(a.cnameChain()).containsExactly("mx.example.com");
        assertThat(a.canonicalName()).isEqualTo("mx.example.com");
        assertThat(a.records()).hasSize(2);
    }

    @Test
    void cnameIntoAnInsecureZoneMakesTheAnswerInsecure() {
        example.cname("out.example.com", "mx.plain.com");
        DnsResult<InetAddress> a = get(resolver(DnssecMode.VALIDATE).addresses("out.example.com"));
        assertThat(a.status()).isEqualTo(DnsStatus.NOERROR);
        assertThat(a.security()).isEqualTo(DnsSecurity.INSECURE);
        assertThat(a.cnameChain()).containsExactly("mx.plain.com");
    }

    @Test
    void cnameLoopIsAnError() {
        plain.cname("a.plain.com", "b.plain.com").cname("b.plain.com", "a.plain.com");
        DnsResult<InetAddress> a = get(resolver(DnssecMode.VALIDATE).addresses("a.plain.com"));
        assertThat(a.status()).isEqualTo(DnsStatus.ERROR);
        assertThat(a.reason()).contains("CNAME loop");
    }

    @Test
    void oversizedRrsetIsAnErrorAfterTcpRetry() {
        for (int i = 1; i <= 150; i++) {
            plain.a("big.plain.com", "10.0.0." + i % 250 + "");
            plain.a("big.plain.com", "10.1." + i + ".1");
        }
        DnsResult<MxRecord> big = get(resolver(DnssecMode.VALIDATE).mx("big.plain.com"));
        assertThat(big.status()).isEqualTo(DnsStatus.NODATA);
        DnsResult<InetAddress> a = get(resolver(DnssecMode.VALIDATE).addresses("big.plain.com"));
        assertThat(a.status()).isEqualTo(DnsStatus.ERROR);
        assertThat(a.reason()).contains("more than the limit");
    }

    @Test
    void truncatedUdpAnswerIsRetriedOverTcp() {
        dns.misbehave("mx.plain.com", Misbehaviour.TRUNCATE_UDP);
        DnsResult<InetAddress> a = get(resolver(DnssecMode.VALIDATE).addresses("mx.plain.com"));
        assertThat(a.status()).isEqualTo(DnsStatus.NOERROR);
        assertThat(a.records()).hasSize(1);
    }

    @Test
    void wrongIdGarbageDropAndServfailAreErrorsNotExceptions() {
        dns.misbehave("mx.plain.com", Misbehaviour.WRONG_ID);
        dns.misbehave("plain.com", Misbehaviour.GARBAGE);
        dns.misbehave("example.com", Misbehaviour.SERVFAIL);
        dns.misbehave("mx.example.com", Misbehaviour.DROP);
        DnsResolver r = resolver(DnssecMode.OFF, SHORT_TIMEOUT);
        for (CompletionStage<? extends DnsResult<?>> s : List.of(r.addresses("mx.plain.com"), r.mx("plain.com"),
                r.mx("example.com"), r.addresses("mx.example.com"))) {
            DnsResult<?> result = get((CompletionStage<? extends DnsResult<?>>) s);
            assertThat(result.status()).as(result.name()).isEqualTo(DnsStatus.ERROR);
            assertThat(result.isUsable()).isFalse();
        }
    }

    @Test
    void nextServerIsAskedWhenTheFirstStaysSilent() throws Exception {
        try (java.net.DatagramSocket silent = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            InetSocketAddress dead = new InetSocketAddress(InetAddress.getLoopbackAddress(), silent.getLocalPort());
            DnsResolver r = ResolverFactory.create(options(DnssecMode.VALIDATE, SHORT_TIMEOUT, 0)
                    .withServers(List.of(dead, dns.address())), ticker);
            assertThat(r.describeServers()).hasSize(2);
            DnsResult<MxRecord> mx = get(r.mx("example.com"));
            assertThat(mx.status()).isEqualTo(DnsStatus.NOERROR);
            assertThat(mx.security()).isEqualTo(DnsSecurity.SECURE);
        }
    }

    @Test
    void unansweredQueriesAreIndeterminateWhenValidating() {
        dns.misbehave("mx.example.com", Misbehaviour.DROP);
        DnsResult<InetAddress> a = get(resolver(DnssecMode.VALIDATE, SHORT_TIMEOUT).addresses("mx.example.com"));
        assertThat(a.status()).isEqualTo(DnsStatus.ERROR);
        assertThat(a.security()).isEqualTo(DnsSecurity.INDETERMINATE);
    }

    @Test
    void trustAdBelievesAValidatingResolverOnLoopback() {
        DnsResolver r = resolver(DnssecMode.TRUST_AD);
        dns.validating(true);
        assertThat(get(r.mx("example.com")).security()).isEqualTo(DnsSecurity.SECURE);
        assertThat(get(r.mx("plain.com")).security()).isEqualTo(DnsSecurity.INSECURE);
        DnsResult<MxRecord> bogus = get(r.mx("broken.com"));
        assertThat(bogus.status()).isEqualTo(DnsStatus.ERROR);
        assertThat(bogus.security().isFailure()).isTrue();
    }

    @Test
    void trustAdWithoutTheAdBitIsInsecure() {
        dns.validating(false);
        DnsResult<MxRecord> mx = get(resolver(DnssecMode.TRUST_AD).mx("example.com"));
        assertThat(mx.status()).isEqualTo(DnsStatus.NOERROR);
        assertThat(mx.security()).isEqualTo(DnsSecurity.INSECURE);
    }

    @Test
    void offModeCallsEverythingInsecure() {
        dns.validating(true);
        DnsResult<MxRecord> mx = get(resolver(DnssecMode.OFF).mx("example.com"));
        assertThat(mx.status()).isEqualTo(DnsStatus.NOERROR);
        assertThat(mx.security()).isEqualTo(DnsSecurity.INSECURE);
    }

    @Test
    void answersAreCachedForTheirTtlOnly() {
        example.ttl(60).a("short.example.com", "192.0.2.7");
        DnsResolver r = resolver(DnssecMode.VALIDATE);
        assertThat(get(r.addresses("short.example.com")).records()).hasSize(1);
        int afterFirst = dns.queryCount();
        assertThat(get(r.addresses("short.example.com")).records()).hasSize(1);
        assertThat(dns.queryCount()).isEqualTo(afterFirst);

        example.a("short.example.com", "192.0.2.8");
        nanos.addAndGet(Duration.ofSeconds(59).toNanos());
        assertThat(get(r.addresses("short.example.com")).records()).hasSize(1);
        nanos.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(get(r.addresses("short.example.com")).records()).hasSize(2);
        assertThat(dns.queryCount()).isGreaterThan(afterFirst);
    }

    @Test
    void aCachedAnswerIsHandedOutAsItIsAndTheAddressSetLivesOnlyAsLongAsBothHalves() throws Exception {
        example.ttl(60).a("halves.example.com", "192.0.2.7").ttl(300).aaaa("halves.example.com", "2001:db8::7");
        DnsResolver r = resolver(DnssecMode.VALIDATE);
        DnsResult<InetAddress> first = get(r.addresses("halves.example.com"));
        assertThat(get(r.addresses("halves.example.com"))).isSameAs(first);
        assertThat(get(r.tlsa("_25._tcp.mx.example.com"))).isSameAs(get(r.tlsa("_25._tcp.mx.example.com")));

        example.remove("halves.example.com", Type.A).ttl(60).a("halves.example.com", "192.0.2.8");
        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        assertThat(get(r.addresses("halves.example.com")).records()).as("A expired, AAAA still cached")
                .containsExactly(InetAddress.getByName("2001:db8::7"), InetAddress.getByName("192.0.2.8"));

        example.corruptSignatures("halves.example.com");
        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        DnsResult<InetAddress> bogus = get(r.addresses("halves.example.com"));
        assertThat(bogus.security()).as("the A half turned bogus while AAAA is cached").isEqualTo(DnsSecurity.BOGUS);
        assertThat(get(r.addresses("halves.example.com")).security()).isEqualTo(DnsSecurity.BOGUS);
    }

    @Test
    void namesNotYetCanonicalShareTheCanonicalNamesCacheEntry() {
        DnsResolver r = resolver(DnssecMode.VALIDATE);
        DnsResult<MxRecord> mx = get(r.mx("example.com"));
        assertThat(get(r.mx("Example.COM."))).isSameAs(mx);
        assertThat(get(r.mx("example..com")).status()).isEqualTo(DnsStatus.ERROR);
    }

    @Test
    void twoReadersOfTheSameTypeAndNameEachGetTheirOwnAnswer() throws Exception {
        RecordQuery<InetAddress> address = new RecordQuery<>(Type.A, rec -> ((ARecord) rec).getAddress());
        RecordQuery<String> text = new RecordQuery<>(Type.A, rec -> ((ARecord) rec).getAddress().getHostAddress());
        DnsjavaResolver r = (DnsjavaResolver) resolver(DnssecMode.VALIDATE);
        for (int round = 1; round <= 2; round++) { // the second round from the cache
            List<InetAddress> addresses = get(r.lookup("mx.example.com", address)).records();
            List<String> texts = get(r.lookup("mx.example.com", text)).records();
            assertThat(addresses).as("round %d", round).containsExactly(InetAddress.getByName("192.0.2.1"));
            assertThat(texts).as("round %d", round).containsExactly("192.0.2.1");
        }
    }

    @Test
    void negativeAnswersAreCachedToo() {
        DnsResolver r = resolver(DnssecMode.VALIDATE);
        assertThat(get(r.tlsa("_25._tcp.new.example.com")).status()).isEqualTo(DnsStatus.NXDOMAIN);
        int afterFirst = dns.queryCount();
        example.tlsa("_25._tcp.new.example.com", TLSA);
        assertThat(get(r.tlsa("_25._tcp.new.example.com")).status()).isEqualTo(DnsStatus.NXDOMAIN);
        assertThat(dns.queryCount()).isEqualTo(afterFirst);
        nanos.addAndGet(Duration.ofSeconds(301).toNanos());
        assertThat(get(r.tlsa("_25._tcp.new.example.com")).status()).isEqualTo(DnsStatus.NOERROR);
    }

    @Test
    void trustAdTowardsARemoteResolverIsRefusedUnlessAllowed() {
        DnsOptions remote = options(DnssecMode.TRUST_AD).withServers(List.of(new InetSocketAddress("192.0.2.53", 53)));
        assertThatThrownBy(() -> DnsResolvers.create(remote))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("192.0.2.53").hasMessageContaining("allowNonLoopbackAd");
        DnsOptions allowed = new DnsOptions(remote.servers(), DnssecMode.TRUST_AD, null, true, remote.timeout(), 0, 10);
        assertThat(DnsResolvers.create(allowed)).isNotNull();
    }

    @Test
    void unreadableOrEmptyTrustAnchorFileIsRefused() throws Exception {
        DnsOptions missing = new DnsOptions(List.of(dns.address()), DnssecMode.VALIDATE, dir.resolve("nope.txt"),
                false, Duration.ofSeconds(1), 0, 10);
        assertThatThrownBy(() -> DnsResolvers.create(missing))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("trustAnchors: ");
        Path empty = Files.writeString(dir.resolve("empty.txt"), "; nothing\n");
        DnsOptions none = new DnsOptions(List.of(dns.address()), DnssecMode.VALIDATE, empty, false,
                Duration.ofSeconds(1), 0, 10);
        assertThatThrownBy(() -> DnsResolvers.create(none))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no DS or DNSKEY");
    }

    @Test
    void builtInRootAnchorsLoadAndDoNotTrustTheTestRoot() {
        DnsOptions builtIn = new DnsOptions(List.of(dns.address()), DnssecMode.VALIDATE, null, false,
                Duration.ofSeconds(1), 0, 10);
        DnsResult<MxRecord> mx = get(DnsResolvers.create(builtIn).mx("example.com"));
        assertThat(mx.security()).isNotEqualTo(DnsSecurity.SECURE);
    }

    private DnsResolver resolver(DnssecMode mode) {
        return resolver(mode, TIMEOUT);
    }

    private DnsResolver resolver(DnssecMode mode, Duration timeout) {
        return ResolverFactory.create(options(mode, timeout, 0), ticker);
    }

    private DnsOptions options(DnssecMode mode) {
        return options(mode, TIMEOUT, 0);
    }

    private DnsOptions options(DnssecMode mode, Duration timeout, int retries) {
        return new DnsOptions(List.of(dns.address()), mode, mode == DnssecMode.VALIDATE ? dns.trustAnchorFile(dir) : null,
                false, timeout, retries, 1000);
    }

    /** The stage's result; shared with the other resolver tests of this package. */
    static <R> R get(CompletionStage<R> stage) {
        try {
            return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("stage completed exceptionally", e);
        }
    }
}
