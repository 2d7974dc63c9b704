package io.stsdane.relay.dns.internal;

import static io.stsdane.relay.dns.internal.DnsjavaResolverTest.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.dns.DnssecMode;
import io.stsdane.relay.core.dns.TlsaRecord;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.dns.Misbehaviour;
import io.stsdane.relay.testkit.dns.TestZone;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * In-process validation against the signed DNS fixture when a server fails instead of answering: a SERVFAIL or a
 * timeout, for the name itself or for a DS/DNSKEY query the validator makes on the way, is an ERROR with
 * INDETERMINATE security (RFC 4035 §4.3: bogus needs data that failed validation), while data that does fail
 * validation stays BOGUS. Real DNS over UDP and TCP.
 */
class ServerFailureUnderValidationTest {

    @TempDir
    Path dir;

    private DnsTestServer dns;
    private TestZone example;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void zones() {
        dns = DnsTestServer.start();
        TestZone com = dns.root().child("com");
        example = com.child("example.com")
                .a("mx.example.com", "192.0.2.1")
                .a("bad.example.com", "192.0.2.3").corruptSignatures("bad.example.com")
                .a("old.example.com", "192.0.2.4").expireSignatures("old.example.com");
        com.unsignedChild("plain.com").a("mx.plain.com", "192.0.2.2");
        com.childWithWrongDs("broken.com").a("mx.broken.com", "192.0.2.5");
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    /**
     * {@code failing} is the name the server misbehaves for. "." fails the validator's first DNSKEY query (the
     * trust anchor's keys), "example.com" its DS query for the zone, "com" the DS query one level up.
     */
    @ParameterizedTest(name = "{1} for {0} while looking up {2}")
    @CsvSource({
            "mx.example.com, SERVFAIL, mx.example.com, SERVFAIL",
            "mx.plain.com,   SERVFAIL, mx.plain.com,   SERVFAIL",
            "example.com,    SERVFAIL, mx.example.com, example.com./DS",
            "com,            SERVFAIL, mx.example.com, com./DS",
            ".,              SERVFAIL, mx.example.com, ./DNSKEY",
            "mx.example.com, DROP,     mx.example.com, no usable answer from",
            "example.com,    DROP,     mx.example.com, example.com./DS",
            ".,              DROP,     mx.example.com, ./DNSKEY"})
    void aServerThatFailsIsIndeterminateNotBogus(String failing, Misbehaviour how, String host, String reasonPart) {
        dns.misbehave(failing, how);

        DnsResult<InetAddress> a = get(resolver().addresses(host));

        assertThat(a.status()).isEqualTo(DnsStatus.ERROR);
        assertThat(a.security()).isEqualTo(DnsSecurity.INDETERMINATE);
        assertThat(a.records()).isEmpty();
        assertThat(a.reason()).contains(reasonPart);
        if (how == Misbehaviour.SERVFAIL) {
            assertThat(a.reason()).contains("DNS server failed").doesNotContain("DNSSEC_BOGUS", "DNSKEY_MISSING");
        }
        assertThat(lookups("bogus")).isZero();
        assertThat(lookups("indeterminate")).isEqualTo(2); // AAAA and A
    }

    /**
     * dnsjava's validator drops a failed key lookup while it checks a negative answer and returns the answer
     * without AD: read naively that is a provably insecure NODATA/NXDOMAIN, a downgrade an on-path attacker could
     * provoke by dropping the DS or DNSKEY query.
     */
    @ParameterizedTest(name = "{1} for {0}, TLSA at {2}")
    @CsvSource({
            "example.com, SERVFAIL, mx.example.com",
            "example.com, DROP,     mx.example.com",
            ".,           SERVFAIL, mx.example.com",
            "com,         DROP,     mx.example.com",
            "example.com, SERVFAIL, _25._tcp.nothing.example.com",
            "example.com, DROP,     _25._tcp.nothing.example.com",
            "plain.com,   SERVFAIL, mx.plain.com"})
    void aNegativeAnswerWhoseChainFailedIsIndeterminateNotInsecure(String failing, Misbehaviour how, String name) {
        dns.misbehave(failing, how);

        DnsResult<TlsaRecord> tlsa = get(resolver().tlsa(name));

        assertThat(tlsa.status()).isEqualTo(DnsStatus.ERROR);
        assertThat(tlsa.security()).isEqualTo(DnsSecurity.INDETERMINATE);
        String absolute = failing.endsWith(".") ? failing : failing + ".";
        assertThat(tlsa.reason()).contains("DNSSEC validation could not finish", absolute + "/");
    }

    @Test
    void negativeAnswersStillValidateWhenNothingFails() {
        DnsResolver r = resolver();
        assertThat(get(r.tlsa("mx.example.com")).status()).isEqualTo(DnsStatus.NODATA);
        assertThat(get(r.tlsa("mx.example.com")).security()).isEqualTo(DnsSecurity.SECURE);
        assertThat(get(r.tlsa("_25._tcp.nothing.example.com")).status()).isEqualTo(DnsStatus.NXDOMAIN);
        assertThat(get(r.tlsa("_25._tcp.nothing.example.com")).security()).isEqualTo(DnsSecurity.SECURE);
        assertThat(get(r.tlsa("mx.plain.com")).security()).isEqualTo(DnsSecurity.INSECURE);
    }

    @Test
    void dataThatFailsValidationStaysBogus() {
        DnsResolver r = resolver();
        for (String host : List.of("bad.example.com", "old.example.com", "mx.broken.com")) {
            DnsResult<InetAddress> a = get(r.addresses(host));
            assertThat(a.status()).as(host).isEqualTo(DnsStatus.ERROR);
            assertThat(a.security()).as(host).isEqualTo(DnsSecurity.BOGUS);
            assertThat(a.reason()).as(host).contains("DNSSEC_BOGUS").doesNotContain("DNS server failed");
        }
        assertThat(lookups("bogus")).isEqualTo(6);
        assertThat(lookups("indeterminate")).isZero();
    }

    @Test
    void bogusDataStaysBogusWhileAnotherNameFails() {
        dns.misbehave("mx.example.com", Misbehaviour.SERVFAIL);
        DnsResolver r = resolver();
        assertThat(get(r.addresses("mx.example.com")).security()).isEqualTo(DnsSecurity.INDETERMINATE);
        assertThat(get(r.addresses("bad.example.com")).security()).isEqualTo(DnsSecurity.BOGUS);
    }

    @ParameterizedTest
    @CsvSource({"example.com, SERVFAIL", "example.com, DROP", "com, SERVFAIL", "com, DROP", "., SERVFAIL", "., DROP"})
    void aFailedChainIsNotRememberedOnceTheServerRecovers(String failing, Misbehaviour how) {
        DnsResolver r = resolver();
        dns.misbehave(failing, how);
        assertThat(get(r.addresses("mx.example.com")).security()).isEqualTo(DnsSecurity.INDETERMINATE);

        dns.behave(failing);
        DnsResult<InetAddress> a = get(r.addresses("mx.example.com"));

        assertThat(a.status()).isEqualTo(DnsStatus.NOERROR);
        assertThat(a.security()).isEqualTo(DnsSecurity.SECURE);
    }

    @Test
    void aServfailTowardsAnUnsignedZoneNeverBecomesInsecure() {
        dns.misbehave("plain.com", Misbehaviour.SERVFAIL);
        DnsResult<InetAddress> a = get(resolver().addresses("mx.plain.com"));
        assertThat(a.status()).isEqualTo(DnsStatus.ERROR);
        assertThat(a.security()).isEqualTo(DnsSecurity.INDETERMINATE);
        assertThat(a.isUsable()).isFalse();
    }

    private DnsResolver resolver() {
        DnsOptions options = new DnsOptions(List.of(dns.address()), DnssecMode.VALIDATE, dns.trustAnchorFile(dir),
                false, Duration.ofMillis(700), 0, 1000);
        return ResolverFactory.create(options, () -> 0L, registry);
    }

    private double lookups(String security) {
        return registry.find(DnsMetrics.LOOKUPS).tag("security", security).counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
