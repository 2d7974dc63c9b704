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
import org.junit.jupiter.params.provider.ValueSource;

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

    @ParameterizedTest(name = "{0} {1} {2} with another certificate's data fails")
    @MethodSource("combinations")
    void eachUsageSelectorAndMatchingTypeRejectsOtherData(int usage, int selector, int matching) throws Exception {
        TestCertificate other = usage == TlsaRecord.DANE_EE
                ? TestCertificate.builder().dnsNames(MX).issuedBy(intermediate).build()
                : TestCertificate.builder().commonName("Test Intermediate").ca().issuedBy(root).build();
        byte[] data = TlsaMatching.associationData(selector, matching, other.certificate());
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
    void aTrustAnchorNamedByADigestMustBeInThePresentedChain() throws Exception {
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

    @Test
    void aMalformedSha512RecordDoesNotRetireAValidSha256Record() throws Exception {
        // RFC 7671 §9: unusable records are discarded first; only then does the strongest digest decide.
        TlsaRecord rightSha256 = record(3, 1, 1, leaf.certificate());
        TlsaRecord sha512OfWrongLength =
                new TlsaRecord(3, 1, 2, TlsaMatching.associationData(1, 1, leaf.certificate()));
        TlsHandshake.Outcome o = handshake(leaf, rightSha256, sha512OfWrongLength);
        assertThat(o.completed()).isTrue();
        assertThat(o.verification().detail()).contains(rightSha256.toString());
        assertThat(verifier(rightSha256, sha512OfWrongLength).effectiveRecords()).containsExactly(rightSha256);
    }

    @Test
    void digestsOfTheWrongLengthAndFullDataThatDoesNotParseAreUnusable() {
        byte[] sha256 = TlsaMatching.associationData(1, 1, leaf.certificate());
        assertThat(TlsaMatching.isUsable(new TlsaRecord(3, 1, 1, sha256))).isTrue();
        assertThat(TlsaMatching.isUsable(new TlsaRecord(3, 1, 1, java.util.Arrays.copyOf(sha256, 31)))).isFalse();
        assertThat(TlsaMatching.isUsable(new TlsaRecord(2, 0, 1, new byte[64]))).isFalse();
        assertThat(TlsaMatching.isUsable(new TlsaRecord(3, 1, 2, new byte[32]))).isFalse();
        assertThat(TlsaMatching.isUsable(new TlsaRecord(3, 0, 2, new byte[0]))).isFalse();
        assertThat(TlsaMatching.isUsable(record(2, 0, 0, root.certificate()))).isTrue();
        assertThat(TlsaMatching.isUsable(record(2, 1, 0, root.certificate()))).isTrue();
        assertThat(TlsaMatching.isUsable(new TlsaRecord(2, 0, 0, new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}))).isFalse();
        assertThat(TlsaMatching.isUsable(new TlsaRecord(3, 1, 0, sha256))).isFalse();
    }

    @Test
    void anRrsetOfOnlyMalformedRecordsAuthenticatesNothing() throws Exception {
        TlsaRecord shortSha256 = new TlsaRecord(3, 1, 1, new byte[20]);
        TlsaRecord shortSha512 = new TlsaRecord(3, 1, 2, new byte[32]);
        TlsHandshake.Outcome o = handshake(leaf, shortSha256, shortSha512);
        assertThat(o.completed()).isFalse();
        assertThat(o.verification().failure()).isEqualTo(TlsFailure.TLSA_INVALID);
    }

    @ParameterizedTest(name = "2 {0} 0 anchors the chain when the server does not send the anchor")
    @ValueSource(ints = {0, 1})
    void aFullTrustAnchorRecordIsUsedWhenTheServerDoesNotSendTheAnchor(int selector) throws Exception {
        // RFC 7671 §5.2.2-5.2.3: 2 0 0 and 2 1 0 carry the whole anchor; the server's chain need not contain it.
        TlsaRecord rootInDns = record(2, selector, 0, root.certificate());
        TlsHandshake.Outcome o = handshake(leaf, rootInDns);
        assertThat(o.presented()).hasSize(2);
        assertThat(o.completed()).isTrue();
        assertThat(o.verification().detail()).contains("DANE-TA").contains("in the record");

        TlsaRecord issuerInDns = record(2, selector, 0, intermediate.certificate());
        TlsHandshake.Outcome leafOnly = TlsHandshake.run(leaf.serverContext(List.of(leaf.certificate())),
                verifier(issuerInDns), MX);
        assertThat(leafOnly.presented()).hasSize(1);
        assertThat(leafOnly.completed()).isTrue();
    }

    @ParameterizedTest(name = "2 {0} 0 anchors the chain when the server sends a cross-signed copy of the anchor")
    @ValueSource(ints = {0, 1})
    void aFullTrustAnchorRecordIsUsedWhenTheServerSendsACrossSignedCopyOfTheAnchor(int selector) throws Exception {
        TestCertificate otherRoot = TestCertificate.builder().commonName("Other Root").ca().build();
        TestCertificate crossSigned = TestCertificate.builder().commonName("Test Root").ca().sameKeyAs(root)
                .issuedBy(otherRoot).build();
        List<X509Certificate> presented = List.of(leaf.certificate(), intermediate.certificate(),
                crossSigned.certificate());
        TlsHandshake.Outcome o = TlsHandshake.run(leaf.serverContext(presented),
                verifier(record(2, selector, 0, root.certificate())), MX);
        assertThat(o.presented()).hasSize(3);
        assertThat(o.completed()).isTrue();
    }

    @Test
    void aFullTrustAnchorRecordStillChecksNamesExpiryAndSignatures() throws Exception {
        TlsaRecord rootKey = record(2, 1, 0, root.certificate());
        TestCertificate other = TestCertificate.builder().dnsNames("other.example.net").issuedBy(intermediate).build();
        TlsHandshake.Outcome wrongName = handshake(other, rootKey);
        assertThat(wrongName.completed()).isFalse();
        assertThat(wrongName.verification().failure()).isEqualTo(TlsFailure.CERTIFICATE_HOST_MISMATCH);

        TestCertificate expired = TestCertificate.builder().dnsNames(MX).expired().issuedBy(intermediate).build();
        TlsHandshake.Outcome expiredLeaf = handshake(expired, rootKey);
        assertThat(expiredLeaf.completed()).isFalse();
        assertThat(expiredLeaf.verification().failure()).isEqualTo(TlsFailure.CERTIFICATE_EXPIRED);

        TestCertificate impostorRoot = TestCertificate.builder().commonName("Test Root").ca().build();
        TestCertificate impostorCa = TestCertificate.builder().commonName("Test Intermediate").ca()
                .issuedBy(impostorRoot).build();
        TestCertificate forged = TestCertificate.builder().dnsNames(MX).issuedBy(impostorCa).build();
        TlsHandshake.Outcome o = TlsHandshake.run(forged.serverContext(forged.chain()), verifier(rootKey,
                record(2, 0, 0, root.certificate())), MX);
        assertThat(o.completed()).isFalse();
        assertThat(o.verification().failure()).isEqualTo(TlsFailure.CERTIFICATE_NOT_TRUSTED);
        assertThat(o.verification().detail()).contains("is not issued by");
    }

    @Test
    void theCaCertificatesMayComeInAnyOrderWithExtraOnes() throws Exception {
        // RFC 8446 §4.4.2: build the path from the leaf through what the server sent, whatever the order.
        TestCertificate stranger = TestCertificate.builder().commonName("Unrelated CA").ca().build();
        TestCertificate oldIntermediate = TestCertificate.builder().commonName("Test Intermediate").ca()
                .issuedBy(root).build();
        List<X509Certificate> shuffled = List.of(leaf.certificate(), root.certificate(), stranger.certificate(),
                oldIntermediate.certificate(), intermediate.certificate());
        List<TlsaRecord> anchors = List.of(record(2, 0, 1, root.certificate()),
                record(2, 1, 2, intermediate.certificate()));
        for (TlsaRecord anchor : anchors) {
            TlsHandshake.Outcome o = TlsHandshake.run(leaf.serverContext(shuffled), verifier(anchor), MX);
            assertThat(o.presented()).hasSize(5);
            assertThat(o.completed()).as("anchor %s", anchor).isTrue();
        }
    }

    @Test
    void aReorderedChainStillNeedsTheSignaturesToLeadToTheAnchor() throws Exception {
        TestCertificate otherRoot = TestCertificate.builder().commonName("Other Root").ca().build();
        List<X509Certificate> presented = List.of(leaf.certificate(), otherRoot.certificate(),
                intermediate.certificate());
        TlsHandshake.Outcome o = TlsHandshake.run(leaf.serverContext(presented),
                verifier(record(2, 0, 1, otherRoot.certificate())), MX);
        assertThat(o.completed()).isFalse();
        assertThat(o.verification().failure()).isEqualTo(TlsFailure.CERTIFICATE_NOT_TRUSTED);
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
