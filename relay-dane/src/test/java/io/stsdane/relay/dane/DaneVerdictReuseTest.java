package io.stsdane.relay.dane;

import static io.stsdane.relay.dane.TlsaVerifierTest.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnssecMode;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.dns.internal.ResolverFactory;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.dns.TestZone;
import io.stsdane.relay.testkit.pki.TestCertificate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

/**
 * The verdict {@link DanePolicySource} keeps per host (status, verifier, policy texts) lives exactly as long as
 * the DNS answer it was made of: the resolver's cache runs on a ticker the test moves, the zone is a real signed
 * one served over UDP/TCP, and every zone change shows once the cached answer's TTL (300 s) has passed.
 */
class DaneVerdictReuseTest {

    private static final String TLSA_NAME = "_25._tcp.mx.example.com";

    @TempDir
    Path dir;

    private final AtomicLong nanos = new AtomicLong();
    private DnsTestServer dns;
    private TestZone example;
    private TestCertificate first;
    private TestCertificate second;
    private DanePolicySource source;

    @BeforeEach
    void zone() {
        first = TestCertificate.builder().dnsNames("mx.example.com").build();
        second = TestCertificate.builder().dnsNames("mx.example.com").build();
        dns = DnsTestServer.start();
        example = dns.root().child("com").child("example.com")
                .a("mx.example.com", "192.0.2.1")
                .tlsa(TLSA_NAME, record(3, 1, 1, first.certificate()).toString());
        DnsOptions options = new DnsOptions(List.of(dns.address()), DnssecMode.VALIDATE, dns.trustAnchorFile(dir),
                false, Duration.ofSeconds(5), 0, 1000);
        source = new DanePolicySource(ResolverFactory.create(options, (Ticker) nanos::get));
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    @Test
    void theVerdictIsReusedWhileTheTlsaAnswerIsCachedAndRebuiltWhenItsTtlExpires() throws Exception {
        TlsPolicy kept = policy();
        assertThat(policy().verifier()).as("same cached answer, same verifier").isSameAs(kept.verifier());

        afterTtl();
        TlsPolicy rebuilt = policy();
        assertThat(rebuilt.verifier()).as("an answer fetched again is decided again").isNotSameAs(kept.verifier());
        assertThat(accepts(rebuilt, first)).isTrue();
    }

    @Test
    void changedTlsaRecordsApplyAsSoonAsTheCachedAnswerExpires() throws Exception {
        TlsPolicy before = policy();
        example.remove(TLSA_NAME, Type.TLSA).tlsa(TLSA_NAME, record(3, 1, 1, second.certificate()).toString());
        assertThat(policy().verifier()).as("the resolver still serves the cached answer").isSameAs(before.verifier());

        afterTtl();
        TlsPolicy after = policy();
        assertThat(accepts(after, second)).isTrue();
        assertThat(accepts(after, first)).as("the old TLSA record no longer authenticates").isFalse();
    }

    @Test
    void aTlsaAnswerThatTurnsBogusEndsTheVerdictAndStaysBogus() {
        policy();
        example.corruptSignatures(TLSA_NAME);
        afterTtl();
        assertTempFail(TlsFailure.TLSA_INVALID);
        assertTempFail(TlsFailure.TLSA_INVALID);
    }

    @Test
    void addressRecordsThatTurnBogusEndTheVerdict() {
        policy();
        example.corruptSignatures("mx.example.com");
        afterTtl();
        assertTempFail(TlsFailure.DNSSEC_INVALID);
    }

    @Test
    void tlsaRecordsThatDisappearEndTheVerdict() {
        policy();
        example.remove(TLSA_NAME, Type.TLSA);
        afterTtl();
        assertThat(decide()).isInstanceOf(PolicyDecision.NotApplicable.class);
    }

    private void afterTtl() {
        nanos.addAndGet(Duration.ofSeconds(301).toNanos());
    }

    private TlsPolicy policy() {
        PolicyDecision d = decide();
        assertThat(d).isInstanceOf(PolicyDecision.Apply.class);
        TlsPolicy p = ((PolicyDecision.Apply) d).policy();
        assertThat(p.level()).isEqualTo(TlsLevel.DANE);
        return p;
    }

    private void assertTempFail(TlsFailure failure) {
        PolicyDecision d = decide();
        assertThat(d).isInstanceOf(PolicyDecision.TempFail.class);
        assertThat(((PolicyDecision.TempFail) d).failure()).isEqualTo(failure);
    }

    private PolicyDecision decide() {
        try {
            return source.decide(new PolicyRequest("example.com", "example.com", "mx.example.com",
                    DnsSecurity.SECURE, 25)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("stage completed exceptionally", e);
        }
    }

    private static boolean accepts(TlsPolicy p, TestCertificate server) throws Exception {
        return TlsHandshake.run(server.serverContext(), p.verifier(), p.sniName()).completed();
    }
}
