package io.stsdane.relay.dane.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.testkit.pki.TestCertificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CertificateNamesTest {

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
        "mx.example.com, mx.example.com, true",
        "MX.Example.COM, mx.example.com, true",
        "*.example.com, mx.example.com, true",
        "*.example.com, example.com, false",
        "*.example.com, a.mx.example.com, false",
        "m*.example.com, mx.example.com, false",
        "*.com, example.com, false",
        "mx.example.com, mx2.example.com, false",
    })
    void referenceNameMatching(String presented, String reference, boolean expected) {
        TestCertificate c = TestCertificate.builder().dnsNames(presented).build();
        assertThat(CertificateNames.matchesAny(c.certificate(), List.of("other.example.net", reference)))
                .isEqualTo(expected);
    }

    @Test
    void theCommonNameCountsOnlyWithoutDnsNames() {
        TestCertificate cnOnly = TestCertificate.builder().commonName("mx.example.com").build();
        TestCertificate both = TestCertificate.builder().commonName("mx.example.com").dnsNames("san.example.com").build();
        assertThat(CertificateNames.matchesAny(cnOnly.certificate(), List.of("mx.example.com"))).isTrue();
        assertThat(CertificateNames.matchesAny(both.certificate(), List.of("mx.example.com"))).isFalse();
    }

    @Test
    void subjectAltNamesWinOverTheCommonName() {
        TestCertificate c = TestCertificate.builder().commonName("cn.example.com").dnsNames("san.example.com").build();
        assertThat(CertificateNames.dnsNames(c.certificate())).containsExactly("san.example.com");
    }

    @Test
    void commonNameIsUsedWhenThereIsNoDnsName() {
        TestCertificate c = TestCertificate.builder().commonName("Mx.Example.com").build();
        assertThat(CertificateNames.dnsNames(c.certificate())).containsExactly("mx.example.com");
    }
}
