package io.stsdane.relay.dane;

import static io.stsdane.relay.dane.TlsaVerifierTest.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnssecMode;
import io.stsdane.relay.core.dns.TlsaRecord;
import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.dns.DnsResolvers;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.dns.Misbehaviour;
import io.stsdane.relay.testkit.dns.TestZone;
import io.stsdane.relay.testkit.pki.TestCertificate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every row of the RFC 7672 §2.2 decision table, against signed zones served over real UDP/TCP. */
class DanePolicySourceTest {

    @TempDir
    static Path dir;

    private static DnsTestServer dns;
    private static TestCertificate leaf;
    private static TestCertificate providerLeaf;
    private static TlsaRecord leafRecord;
    private static TestCertificate ca;

    @BeforeAll
    static void zones() {
        ca = TestCertificate.builder().commonName("Test CA").ca().build();
        leaf = TestCertificate.builder().dnsNames("mx.example.com").issuedBy(ca).build();
        providerLeaf = TestCertificate.builder().dnsNames("mx.provider.net").issuedBy(ca).build();
        leafRecord = record(3, 1, 1, leaf.certificate());
        dns = DnsTestServer.start();
        TestZone root = dns.root();
        root.child("com").child("example.com")
                .a("mx.example.com", "192.0.2.1")
                .tlsa("_25._tcp.mx.example.com", leafRecord.toString())
                .a("encrypt.example.com", "192.0.2.2")
                .tlsa("_25._tcp.encrypt.example.com", "1 1 1 " + "ab".repeat(32))
                .tlsa("_25._tcp.encrypt.example.com", "0 0 1 " + "cd".repeat(32))
                .a("none.example.com", "192.0.2.3")
                .a("nodata.example.com", "192.0.2.4")
                .txt("_25._tcp.nodata.example.com", "not a TLSA record")
                .a("bogus-tlsa.example.com", "192.0.2.5")
                .tlsa("_25._tcp.bogus-tlsa.example.com", leafRecord.toString())
                .corruptSignatures("_25._tcp.bogus-tlsa.example.com")
                .a("bogus-a.example.com", "192.0.2.6")
                .corruptSignatures("bogus-a.example.com")
                .a("slow.example.com", "192.0.2.7")
                .a("malformed.example.com", "192.0.2.13")
                .tlsa("_25._tcp.malformed.example.com", "3 1 1 " + "ab".repeat(20))
                .tlsa("_25._tcp.malformed.example.com", "3 1 2 " + "cd".repeat(32))
                .a("agility.example.com", "192.0.2.14")
                .tlsa("_25._tcp.agility.example.com", leafRecord.toString())
                .tlsa("_25._tcp.agility.example.com", "3 1 2 " + "cd".repeat(32))
                .a("ta.example.com", "192.0.2.15")
                .tlsa("_25._tcp.ta.example.com", record(2, 1, 1, ca.certificate()).toString())
                .cname("alias.example.com", "mx.provider.net")
                .cname("alias2.example.com", "plainmx.provider.net")
                .tlsa("_25._tcp.alias2.example.com", leafRecord.toString());
        root.child("net").child("provider.net")
                .a("mx.provider.net", "192.0.2.8")
                .tlsa("_25._tcp.mx.provider.net", record(3, 1, 2, providerLeaf.certificate()).toString())
                .a("plainmx.provider.net", "192.0.2.9");
        root.child("org").unsignedChild("plain.org")
                .a("mx.plain.org", "192.0.2.10")
                .tlsa("_25._tcp.mx.plain.org", leafRecord.toString());
        root.child("info").nsec3().child("hashed.info").nsec3()
                .a("mx.hashed.info", "192.0.2.11")
                .a("dane.hashed.info", "192.0.2.12")
                .tlsa("_25._tcp.dane.hashed.info", leafRecord.toString());
        dns.misbehave("_25._tcp.slow.example.com", Misbehaviour.DROP);
        dns.misbehave("192.0.2.99", Misbehaviour.DROP);
    }

    @AfterAll
    static void stop() {
        dns.close();
    }

    @Test
    void usableTlsaRecordsMakeDaneRequired() throws Exception {
        PolicyDecision d = decide("mx.example.com", DnsSecurity.SECURE);
        assertThat(d).isInstanceOf(PolicyDecision.Apply.class);
        TlsPolicy p = ((PolicyDecision.Apply) d).policy();
        assertThat(p.level()).isEqualTo(TlsLevel.DANE);
        assertThat(p.source()).isEqualTo(PolicyOrigin.DANE);
        assertThat(p.policyDomain()).isEqualTo("example.com");
        assertThat(p.sniName()).isEqualTo("mx.example.com");
        assertThat(p.verifier()).isInstanceOf(TlsaVerifier.class);
        assertThat(p.policyStrings()).as("RFC 8460 policy-string").containsExactly(leafRecord.toString());
        TlsHandshake.Outcome o = TlsHandshake.run(leaf.serverContext(), p.verifier(), p.sniName());
        assertThat(o.completed()).isTrue();
        assertThat(o.sniSeen()).isEqualTo("mx.example.com");
        assertThat(TlsHandshake.run(providerLeaf.serverContext(), p.verifier(), p.sniName()).completed()).isFalse();
    }

    @Test
    void statusExposesTheDecisionForDiagnostics() {
        DaneStatus s = get(source(DnssecMode.VALIDATE).status("MX.example.com.", 25, DnsSecurity.SECURE));
        assertThat(s.kind()).isEqualTo(DaneStatus.Kind.DANE_REQUIRED);
        assertThat(s.mxHost()).isEqualTo("mx.example.com");
        assertThat(s.tlsaBaseName()).isEqualTo("mx.example.com");
        assertThat(s.records()).containsExactly(leafRecord);
        assertThat(s.usableRecords()).containsExactly(leafRecord);
        assertThat(s.failure()).isNull();
        assertThat(s.toString()).startsWith("dane-required mx.example.com base=mx.example.com usable=1/1");
    }

    @Test
    void secureTlsaWithoutUsableRecordsMeansEncryptOnly() {
        DaneStatus s = get(source(DnssecMode.VALIDATE).status("encrypt.example.com", 25, DnsSecurity.SECURE));
        assertThat(s.kind()).isEqualTo(DaneStatus.Kind.ENCRYPT_ONLY);
        assertThat(s.records()).hasSize(2);
        assertThat(s.usableRecords()).isEmpty();
        TlsPolicy p = ((PolicyDecision.Apply) decide("encrypt.example.com", DnsSecurity.SECURE)).policy();
        assertThat(p.level()).isEqualTo(TlsLevel.ENCRYPT);
        assertThat(p.level().requiresTls()).isTrue();
        assertThat(p.verifier()).isSameAs(PeerVerifier.ACCEPT_ANY);
        assertThat(p.policyStrings()).as("every record of the RRset, usable or not")
                .containsExactlyInAnyOrder("1 1 1 " + "ab".repeat(32), "0 0 1 " + "cd".repeat(32));
    }

    @Test
    void anRrsetOfOnlyMalformedRecordsMeansTlsWithoutAuthentication() {
        // RFC 7672 §3.1.3: digests of the wrong length are unusable; all unusable is encrypt-only, not DANE.
        DaneStatus s = get(source(DnssecMode.VALIDATE).status("malformed.example.com", 25, DnsSecurity.SECURE));
        assertThat(s.kind()).isEqualTo(DaneStatus.Kind.ENCRYPT_ONLY);
        assertThat(s.records()).hasSize(2);
        assertThat(s.usableRecords()).isEmpty();
        TlsPolicy p = ((PolicyDecision.Apply) decide("malformed.example.com", DnsSecurity.SECURE)).policy();
        assertThat(p.level()).isEqualTo(TlsLevel.ENCRYPT);
        assertThat(p.verifier()).isSameAs(PeerVerifier.ACCEPT_ANY);
    }

    @Test
    void aMalformedSha512RecordBesideAGoodSha256RecordLeavesTheGoodOneInCharge() throws Exception {
        DaneStatus s = get(source(DnssecMode.VALIDATE).status("agility.example.com", 25, DnsSecurity.SECURE));
        assertThat(s.kind()).isEqualTo(DaneStatus.Kind.DANE_REQUIRED);
        assertThat(s.usableRecords()).containsExactly(leafRecord);
        assertThat(s.toString()).contains("usable=1/2");
        TlsPolicy p = ((PolicyDecision.Apply) decide("agility.example.com", DnsSecurity.SECURE)).policy();
        assertThat(TlsHandshake.run(leaf.serverContext(), p.verifier(), p.sniName()).completed()).isTrue();
    }

    @Test
    void anInsecureMxRrsetStillAppliesTheTlsaRecordsOfAHostInASignedZone() throws Exception {
        // RFC 7672 §2.2.1 allows it, Postfix does it (smtp_tls_dane_insecure_mx_policy = dane): no STARTTLS
        // stripping for a host whose own zone publishes TLSA records, whatever the MX RRset.
        DaneStatus s = get(source(DnssecMode.VALIDATE).status("mx.example.com", 25, DnsSecurity.INSECURE));
        assertThat(s.kind()).isEqualTo(DaneStatus.Kind.DANE_REQUIRED);
        assertThat(s.mxSecure()).isFalse();
        assertThat(s.reason()).contains("MX RRset is not signed");
        TlsPolicy p = ((PolicyDecision.Apply) decide("mx.example.com", DnsSecurity.INSECURE)).policy();
        assertThat(p.level()).isEqualTo(TlsLevel.DANE);
        assertThat(p.sniName()).isEqualTo("mx.example.com");
        assertThat(p.description()).contains("MX RRset is not signed");
        assertThat(TlsHandshake.run(leaf.serverContext(), p.verifier(), p.sniName()).completed()).isTrue();
        assertThat(TlsHandshake.run(providerLeaf.serverContext(), p.verifier(), p.sniName()).completed()).isFalse();
        assertThat(get(source(DnssecMode.VALIDATE).status("mx.example.com", 25, DnsSecurity.SECURE)).mxSecure())
                .isTrue();
    }

    @Test
    void underAnInsecureMxRrsetDaneTaNamesAreTheHostsNeverTheRecipientDomain() throws Exception {
        TlsPolicy p = ((PolicyDecision.Apply) decide("ta.example.com", DnsSecurity.INSECURE)).policy();
        TestCertificate forTheHost = TestCertificate.builder().dnsNames("ta.example.com").issuedBy(ca).build();
        TestCertificate forTheDomain = TestCertificate.builder().dnsNames("example.com").issuedBy(ca).build();
        assertThat(TlsHandshake.run(forTheHost.serverContext(forTheHost.chain()), p.verifier(), p.sniName())
                .completed()).isTrue();
        TlsHandshake.Outcome o = TlsHandshake.run(forTheDomain.serverContext(forTheDomain.chain()), p.verifier(),
                p.sniName());
        assertThat(o.completed()).isFalse();
        assertThat(o.verification().failure()).isEqualTo(TlsFailure.CERTIFICATE_HOST_MISMATCH);
    }

    @Test
    void anInsecureMxRrsetNamingAHostInAnUnsignedZoneMeansNotApplicable() {
        assertNotApplicable(decide("mx.plain.org", DnsSecurity.INSECURE), "address records");
    }

    @Test
    void anAddressLiteralIsNeverLookedUp() {
        // A smart host given as an IP address reaches the source with an insecure "MX" state; it has no TLSA.
        for (String literal : List.of("192.0.2.99", "2001:db8::1")) {
            DaneStatus s = get(source(DnssecMode.VALIDATE).status(literal, 25, DnsSecurity.INSECURE));
            assertThat(s.kind()).as(literal).isEqualTo(DaneStatus.Kind.NOT_APPLICABLE);
            assertThat(s.reason()).contains("IP address");
        }
    }

    /**
     * A smart host listed in the hosts file is connected to at the addresses listed there: TLSA records of its
     * name in DNS do not vouch for them, and its name need not resolve in DNS at all (no lookup, no deferral).
     */
    @Test
    void aHostResolvedOutsideDnsGetsNoDaneAndNoLookup() {
        for (String host : List.of("mx.example.com", "slow.example.com")) {
            PolicyDecision d = get(source(DnssecMode.VALIDATE).decide(new PolicyRequest("example.com", host, host,
                    DnsSecurity.INSECURE, 25, false)));
            assertNotApplicable(d, "hosts file");
        }
    }

    @Test
    void insecureAddressRecordsMeanNotApplicableEvenWithTlsa() {
        assertNotApplicable(decide("mx.plain.org", DnsSecurity.SECURE), "address records");
    }

    @Test
    void securelyDeniedTlsaMeansNotApplicable() {
        assertNotApplicable(decide("none.example.com", DnsSecurity.SECURE), "securely denied");
        assertNotApplicable(decide("nodata.example.com", DnsSecurity.SECURE), "securely denied");
    }

    @Test
    void nsec3SignedZonesDecideTheSameWay() {
        assertNotApplicable(decide("mx.hashed.info", DnsSecurity.SECURE), "securely denied");
        assertThat(decide("dane.hashed.info", DnsSecurity.SECURE)).isInstanceOf(PolicyDecision.Apply.class);
    }

    @Test
    void bogusMxMeansTempfail() {
        assertTempFail(decide("mx.example.com", DnsSecurity.BOGUS), TlsFailure.DNSSEC_INVALID);
        assertTempFail(decide("mx.example.com", DnsSecurity.INDETERMINATE), TlsFailure.DNSSEC_INVALID);
    }

    @Test
    void bogusAddressRecordsMeanTempfail() {
        assertTempFail(decide("bogus-a.example.com", DnsSecurity.SECURE), TlsFailure.DNSSEC_INVALID);
    }

    @Test
    void bogusTlsaMeansTempfail() {
        assertTempFail(decide("bogus-tlsa.example.com", DnsSecurity.SECURE), TlsFailure.TLSA_INVALID);
    }

    @Test
    void unanswerableTlsaMeansTempfail() {
        PolicyDecision d = decide("slow.example.com", DnsSecurity.SECURE);
        assertTempFail(d, TlsFailure.TLSA_INVALID);
    }

    @Test
    void cnamedMxHostUsesTlsaAtTheTargetFirst() throws Exception {
        DaneStatus s = get(source(DnssecMode.VALIDATE).status("alias.example.com", 25, DnsSecurity.SECURE));
        assertThat(s.kind()).isEqualTo(DaneStatus.Kind.DANE_REQUIRED);
        assertThat(s.tlsaBaseName()).isEqualTo("mx.provider.net");
        TlsPolicy p = ((PolicyDecision.Apply) decide("alias.example.com", DnsSecurity.SECURE)).policy();
        assertThat(p.sniName()).isEqualTo("mx.provider.net");
        TlsHandshake.Outcome o = TlsHandshake.run(providerLeaf.serverContext(), p.verifier(), p.sniName());
        assertThat(o.completed()).isTrue();
        assertThat(o.sniSeen()).isEqualTo("mx.provider.net");
    }

    @Test
    void cnamedMxHostFallsBackToTheOriginalNameWhenTheTargetHasNoTlsa() {
        DaneStatus s = get(source(DnssecMode.VALIDATE).status("alias2.example.com", 25, DnsSecurity.SECURE));
        assertThat(s.kind()).isEqualTo(DaneStatus.Kind.DANE_REQUIRED);
        assertThat(s.tlsaBaseName()).isEqualTo("alias2.example.com");
    }

    @Test
    void otherPortsLookUpTheirOwnTlsa() {
        DaneStatus s = get(source(DnssecMode.VALIDATE).status("mx.example.com", 587, DnsSecurity.SECURE));
        assertThat(s.kind()).isEqualTo(DaneStatus.Kind.NOT_APPLICABLE);
        assertThat(s.reason()).contains("_587._tcp.mx.example.com");
    }

    @Test
    void trustAdModeFollowsTheResolversAdBit() {
        DanePolicySource trustAd = source(DnssecMode.TRUST_AD);
        dns.validating(true);
        try {
            assertThat(get(trustAd.status("mx.example.com", 25, DnsSecurity.SECURE)).kind())
                    .isEqualTo(DaneStatus.Kind.DANE_REQUIRED);
            assertThat(get(trustAd.status("bogus-tlsa.example.com", 25, DnsSecurity.SECURE)).kind())
                    .isEqualTo(DaneStatus.Kind.TEMPFAIL);
        } finally {
            dns.validating(false);
        }
        DaneStatus withoutAd = get(source(DnssecMode.TRUST_AD).status("mx.example.com", 25, DnsSecurity.SECURE));
        assertThat(withoutAd.kind()).isEqualTo(DaneStatus.Kind.NOT_APPLICABLE);
    }

    private static void assertNotApplicable(PolicyDecision d, String reasonPart) {
        assertThat(d).isInstanceOf(PolicyDecision.NotApplicable.class);
        assertThat(((PolicyDecision.NotApplicable) d).reason()).contains(reasonPart);
    }

    private static void assertTempFail(PolicyDecision d, TlsFailure failure) {
        assertThat(d).isInstanceOf(PolicyDecision.TempFail.class);
        assertThat(((PolicyDecision.TempFail) d).failure()).isEqualTo(failure);
    }

    private static PolicyDecision decide(String mxHost, DnsSecurity mxSecurity) {
        return get(source(DnssecMode.VALIDATE)
                .decide(new PolicyRequest("example.com", "example.com", mxHost, mxSecurity, 25)));
    }

    private static DanePolicySource source(DnssecMode mode) {
        DnsOptions options = new DnsOptions(List.of(dns.address()), mode,
                mode == DnssecMode.VALIDATE ? dns.trustAnchorFile(dir) : null, false, Duration.ofMillis(700), 0, 1000);
        return new DanePolicySource(DnsResolvers.create(options));
    }

    private static <R> R get(CompletionStage<R> stage) {
        try {
            return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("stage completed exceptionally", e);
        }
    }
}
