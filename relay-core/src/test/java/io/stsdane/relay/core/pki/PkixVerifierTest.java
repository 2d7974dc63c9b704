package io.stsdane.relay.core.pki;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.Verification;
import io.stsdane.relay.testkit.pki.TestCertificate;
import java.util.List;
import org.junit.jupiter.api.Test;

class PkixVerifierTest {

    private static final TestCertificate ROOT = TestCertificate.builder().commonName("Test Root").ca().build();
    private static final TestCertificate INTERMEDIATE =
            TestCertificate.builder().commonName("Test Intermediate").ca().issuedBy(ROOT).build();

    private static Verification verify(TestCertificate leaf, String... references) {
        return new PkixVerifier(ROOT.trustManager(), List.of(references)).verify(leaf.chainWithoutRoot());
    }

    @Test
    void acceptsChainThroughIntermediateForTheMxHost() {
        TestCertificate leaf = TestCertificate.builder().dnsNames("mx1.example.com").issuedBy(INTERMEDIATE).build();

        Verification v = verify(leaf, "mx1.example.com");

        assertThat(v.passed()).as(v.detail()).isTrue();
        assertThat(v.detail()).contains("mx1.example.com");
    }

    @Test
    void referenceNameComparisonIgnoresCaseAndTrailingDot() {
        TestCertificate leaf = TestCertificate.builder().dnsNames("MX1.example.COM").issuedBy(ROOT).build();

        assertThat(verify(leaf, "mx1.Example.com.").passed()).isTrue();
    }

    @Test
    void reportsHostMismatchNamingExpectedAndPresentedNames() {
        TestCertificate leaf = TestCertificate.builder().dnsNames("other.example.net").issuedBy(ROOT).build();

        Verification v = verify(leaf, "mx1.example.com");

        assertThat(v.failure()).isEqualTo(TlsFailure.CERTIFICATE_HOST_MISMATCH);
        assertThat(v.detail()).contains("mx1.example.com", "other.example.net");
    }

    @Test
    void ignoresTheCommonNameWhenThereIsNoDnsId() {
        TestCertificate leaf = TestCertificate.builder().commonName("mx1.example.com").issuedBy(ROOT).build();

        Verification v = verify(leaf, "mx1.example.com");

        assertThat(v.failure()).isEqualTo(TlsFailure.CERTIFICATE_HOST_MISMATCH);
        assertThat(v.detail()).contains("no DNS names");
    }

    @Test
    void reportsExpiredLeaf() {
        TestCertificate leaf = TestCertificate.builder().dnsNames("mx1.example.com").expired().issuedBy(ROOT).build();

        Verification v = verify(leaf, "mx1.example.com");

        assertThat(v.failure()).isEqualTo(TlsFailure.CERTIFICATE_EXPIRED);
        assertThat(v.detail()).contains("mx1.example.com");
    }

    @Test
    void reportsExpiredIntermediate() {
        TestCertificate oldCa = TestCertificate.builder().commonName("Old CA").ca().expired().issuedBy(ROOT).build();
        TestCertificate leaf = TestCertificate.builder().dnsNames("mx1.example.com").issuedBy(oldCa).build();

        assertThat(verify(leaf, "mx1.example.com").failure()).isEqualTo(TlsFailure.CERTIFICATE_EXPIRED);
    }

    @Test
    void reportsUntrustedChain() {
        TestCertificate otherRoot = TestCertificate.builder().commonName("Other Root").ca().build();
        TestCertificate leaf = TestCertificate.builder().dnsNames("mx1.example.com").issuedBy(otherRoot).build();

        Verification v = verify(leaf, "mx1.example.com");

        assertThat(v.failure()).isEqualTo(TlsFailure.CERTIFICATE_NOT_TRUSTED);
        assertThat(v.detail()).contains("Other Root");
    }

    @Test
    void reportsSelfSignedLeafAsUntrusted() {
        TestCertificate self = TestCertificate.builder().dnsNames("mx1.example.com").build();

        assertThat(new PkixVerifier(ROOT.trustManager(), List.of("mx1.example.com")).verify(self.chain()).failure())
                .isEqualTo(TlsFailure.CERTIFICATE_NOT_TRUSTED);
    }

    @Test
    void reportsEmptyChainAsUntrusted() {
        assertThat(PkixVerifier.forHost(ROOT.trustManager(), "mx1.example.com").verify(List.of()).failure())
                .isEqualTo(TlsFailure.CERTIFICATE_NOT_TRUSTED);
    }

    @Test
    void wildcardCertificateCoversExactlyOneLeftmostLabel() {
        TestCertificate leaf = TestCertificate.builder().dnsNames("*.example.com").issuedBy(ROOT).build();

        assertThat(verify(leaf, "mx1.example.com").passed()).isTrue();
        assertThat(verify(leaf, "example.com").failure()).isEqualTo(TlsFailure.CERTIFICATE_HOST_MISMATCH);
        assertThat(verify(leaf, "a.mx.example.com").failure()).isEqualTo(TlsFailure.CERTIFICATE_HOST_MISMATCH);
    }

    @Test
    void wildcardOverATopLevelDomainIsNeverAccepted() {
        TestCertificate leaf = TestCertificate.builder().dnsNames("*.com").issuedBy(ROOT).build();

        assertThat(verify(leaf, "example.com").failure()).isEqualTo(TlsFailure.CERTIFICATE_HOST_MISMATCH);
    }

    @Test
    void partialLabelWildcardIsNotAWildcard() {
        TestCertificate leaf = TestCertificate.builder().dnsNames("mx*.example.com").issuedBy(ROOT).build();

        assertThat(verify(leaf, "mx1.example.com").failure()).isEqualTo(TlsFailure.CERTIFICATE_HOST_MISMATCH);
    }

    @Test
    void wildcardReferenceAcceptsOneLabelHostsAndTheSameWildcard() {
        TestCertificate host = TestCertificate.builder().dnsNames("mx7.example.com").issuedBy(ROOT).build();
        TestCertificate wildcard = TestCertificate.builder().dnsNames("*.example.com").issuedBy(ROOT).build();
        TestCertificate deeper = TestCertificate.builder().dnsNames("a.mx.example.com").issuedBy(ROOT).build();

        assertThat(verify(host, "*.example.com").passed()).isTrue();
        assertThat(verify(wildcard, "*.example.com").passed()).isTrue();
        assertThat(verify(deeper, "*.example.com").failure()).isEqualTo(TlsFailure.CERTIFICATE_HOST_MISMATCH);
    }

    @Test
    void anyOfSeveralReferenceNamesMayMatch() {
        TestCertificate leaf = TestCertificate.builder().dnsNames("smtp.example.org").issuedBy(ROOT).build();

        assertThat(verify(leaf, "mx.example.com", "smtp.example.org").passed()).isTrue();
    }
}
