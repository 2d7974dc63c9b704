package io.stsdane.relay.dane;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.dns.TlsaRecord;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.dane.internal.TlsaMatching;
import io.stsdane.relay.testkit.pki.TestCertificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** TLSA verification during real TLS handshakes on loopback, with certificates generated in the test. */
class TlsaVerifierTest {

    private static final String MX = "mx.example.com";

    private static TestCertificate root;
    private static TestCertificate intermediate;
    private static TestCertificate leaf;

    @BeforeAll
    static void pki() {
        root = TestCertificate.builder().commonName("Test Root").ca().build();
        intermediate = TestCertificate.builder().commonName("Test Intermediate").ca().issuedBy(root).build();
        leaf = TestCertificate.builder().dnsNames(MX).issuedBy(intermediate).build();
    }

    static Stream<Arguments> combinations() {
        return Stream.of(2, 3).flatMap(u -> Stream.of(0, 1).flatMap(s -> Stream.of(0, 1, 2)
                .map(m -> Arguments.of(u, s, m))));
    }

    @ParameterizedTest(name = "{0} {1} {2} matches")
    @MethodSource("combinations")
    void eachUsageSelectorAndMatchingTypeMatches(int usage, int selector, int matching) throws Exception {
        X509Certificate target = usage == TlsaRecord.DANE_EE ? leaf.certificate() : intermediate.certificate();
        TlsaRecord r = record(usage, selector, matching, target);
        TlsHandshake.Outcome o = handshake(leaf, r);
        assertThat(o.completed()).isTrue();
        assertThat(o.verification().passed()).isTrue();
        assertThat(o.verification().detail()).contains(r.toString());
    }

    @ParameterizedTest(name = "{0} {1} {2} with wrong data fails")
    @MethodSource("combinations")
    void eachUsageSelectorAndMatchingTypeRejectsOtherData(int usage, int selector, int matching) throws Exception {
        X509Certificate target = usage == TlsaRecord.DANE_EE ? leaf.certificate() : intermediate.certificate();
        byte[] data = TlsaMatching.associationData(selector, matching, target);
        data[data.length - 1] ^= 0x01;
        TlsHandshake.Outcome o = handshake(leaf, new TlsaRecord(usage, selector, matching, data));
        assertThat(o.completed()).isFalse();
        assertThat(o.verification().failure()).isEqualTo(TlsFailure.CERTIFICATE_NOT_TRUSTED);
    }

    @Test
    void recordMatchingOnlyTheIntermediateWorksAsTrustAnchorNotAsEndEntity() throws Exception {
        assertThat(handshake(leaf, record(3, 1, 1, intermediate.certificate())).completed()).isFalse();
        TlsHandshake.Outcome asAnchor = handshake(leaf, record(2, 1, 1, intermediate.certificate()));
        assertThat(asAnchor.completed()).isTrue();
        assertThat(asAnchor.verification().detail()).contains("DANE-TA").contains("Test Intermediate");
    }

    @Test
    void trustAnchorMustBeInThePresentedChain() throws Exception {
        TlsaRecord rootAnchor = record(2, 0, 1, root.certificate());
        TlsHandshake.Outcome withoutRoot = handshake(leaf, rootAnchor);
        assertThat(withoutRoot.presented()).hasSize(2);
        assertThat(withoutRoot.completed()).isFalse();
        assertThat(withoutRoot.verification().failure()).isEqualTo(TlsFailure.CERTIFICATE_NOT_TRUSTED);

        TlsHandshake.Outcome withRoot = TlsHandshake.run(leaf.serverContext(leaf.chain()), verifier(rootAnchor), MX);
        assertThat(withRoot.presented()).hasSize(3);
        assertThat(withRoot.completed()).isTrue();
    }

    @Test
    void wrongNameFailsUnderDaneTaButIsAcceptedUnderDaneEe() throws Exception {
        TestCertificate other = TestCertificate.builder().dnsNames("other.example.net").issuedBy(intermediate).build();
        TlsHandshake.Outcome ta = handshake(other, record(2, 1, 1, intermediate.certificate()));
        assertThat(ta.completed()).isFalse();
        assertThat(ta.verification().failure()).isEqualTo(TlsFailure.CERTIFICATE_HOST_MISMATCH);
        assertThat(ta.verification().detail()).contains("other.example.net").contains(MX);
        assertThat(handshake(other, record(3, 1, 1, other.certificate())).completed()).isTrue();
    }

    @Test
    void wildcardInTheLeftmostLabelMatchesUnderDaneTa() throws Exception {
        TestCertificate wildcard = TestCertificate.builder().dnsNames("*.example.com").issuedBy(intermediate).build();
        assertThat(handshake(wildcard, record(2, 1, 2, intermediate.certificate())).completed()).isTrue();
    }

    @Test
    void eitherReferenceNameIsAcceptedUnderDaneTa() throws Exception {
        TestCertificate target = TestCertificate.builder().dnsNames("mail.provider.net").issuedBy(intermediate).build();
        TlsaVerifier v = new TlsaVerifier(List.of(record(2, 1, 1, intermediate.certificate())),
                List.of("mail.provider.net", MX), Clock.systemUTC());
        assertThat(TlsHandshake.run(target.serverContext(), v, "mail.provider.net").completed()).isTrue();
    }

    @Test
    void expiredLeafIsAcceptedUnderDaneEeAndRejectedUnderDaneTa() throws Exception {
        TestCertificate expired = TestCertificate.builder().dnsNames(MX).expired().issuedBy(intermediate).build();
        assertThat(handshake(expired, record(3, 1, 1, expired.certificate())).completed()).isTrue();
        TlsHandshake.Outcome ta = handshake(expired, record(2, 1, 1, intermediate.certificate()));
        assertThat(ta.completed()).isFalse();
        assertThat(ta.verification().failure()).isEqualTo(TlsFailure.CERTIFICATE_EXPIRED);
    }

    @Test
    void weakDigestMismatchIsIgnoredWhenTheStrongerDigestMatches() throws Exception {
        TlsaRecord wrongSha256 = wrong(record(3, 1, 1, leaf.certificate()));
        TlsaRecord rightSha512 = record(3, 1, 2, leaf.certificate());
        TlsHandshake.Outcome o = handshake(leaf, wrongSha256, rightSha512);
        assertThat(o.completed()).isTrue();
        assertThat(o.verification().detail()).contains(rightSha512.toString());
    }

    @Test
    void weakDigestMatchDoesNotCountWhenAStrongerDigestIsPresent() throws Exception {
        TlsaRecord rightSha256 = record(3, 1, 1, leaf.certificate());
        TlsaRecord wrongSha512 = wrong(record(3, 1, 2, leaf.certificate()));
        TlsHandshake.Outcome o = handshake(leaf, rightSha256, wrongSha512);
        assertThat(o.completed()).isFalse();
        assertThat(o.verification().failure()).isEqualTo(TlsFailure.CERTIFICATE_NOT_TRUSTED);
        assertThat(new TlsaVerifier(List.of(rightSha256, wrongSha512), List.of(MX), Clock.systemUTC())
                .effectiveRecords()).containsExactly(wrongSha512);
    }

    @Test
    void pkixUsagesAndUnknownParametersAreUnusable() throws Exception {
        TlsHandshake.Outcome o = handshake(leaf,
                record(0, 0, 1, root.certificate()),
                record(1, 1, 1, leaf.certificate()),
                new TlsaRecord(3, 2, 1, new byte[32]),
                new TlsaRecord(3, 1, 3, new byte[32]));
        assertThat(o.completed()).isFalse();
        assertThat(o.verification().failure()).isEqualTo(TlsFailure.TLSA_INVALID);
    }

    @Test
    void leafFromAnImpostorCaWithTheSameNameDoesNotChainToTheAnchor() throws Exception {
        TestCertificate impostor = TestCertificate.builder().commonName("Test Intermediate").ca().build();
        TestCertificate forged = TestCertificate.builder().dnsNames(MX).issuedBy(impostor).build();
        List<X509Certificate> presented = List.of(forged.certificate(), intermediate.certificate());
        TlsHandshake.Outcome o = TlsHandshake.run(forged.serverContext(presented),
                verifier(record(2, 1, 1, intermediate.certificate())), MX);
        assertThat(o.completed()).isFalse();
        assertThat(o.verification().failure()).isEqualTo(TlsFailure.CERTIFICATE_NOT_TRUSTED);
        assertThat(o.verification().detail()).contains("is not issued by");
    }

    @Test
    void failureDetailListsTheRecordsAndThePresentedCertificates() throws Exception {
        TestCertificate stranger = TestCertificate.builder().dnsNames("stranger.example").build();
        TlsaRecord r = record(3, 1, 1, stranger.certificate());
        TlsHandshake.Outcome o = handshake(leaf, r);
        assertThat(o.verification().detail())
                .contains(r.toString())
                .contains("CN=" + MX).contains(TlsaMatching.spkiSha256(leaf.certificate()))
                .contains("CN=Test Intermediate");
    }

    @Test
    void rsaLeafMatchesToo() throws Exception {
        TestCertificate rsa = TestCertificate.builder().dnsNames(MX).rsa().issuedBy(intermediate).build();
        assertThat(handshake(rsa, record(3, 0, 2, rsa.certificate())).completed()).isTrue();
    }

    private static TlsHandshake.Outcome handshake(TestCertificate server, TlsaRecord... records) throws Exception {
        return TlsHandshake.run(server.serverContext(), verifier(records), MX);
    }

    private static TlsaVerifier verifier(TlsaRecord... records) {
        return new TlsaVerifier(List.of(records), List.of(MX), Clock.systemUTC());
    }

    static TlsaRecord record(int usage, int selector, int matching, X509Certificate cert) {
        return new TlsaRecord(usage, selector, matching, TlsaMatching.associationData(selector, matching, cert));
    }

    private static TlsaRecord wrong(TlsaRecord r) {
        byte[] d = r.data();
        d[0] ^= 0x01;
        return new TlsaRecord(r.usage(), r.selector(), r.matchingType(), d);
    }
}
