package io.stsdane.relay.core.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stsdane.relay.testkit.pki.TestCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustStoresTest {

    @TempDir
    Path dir;

    @Test
    void pemBundleTrustsExactlyItsCertificates() throws Exception {
        TestCertificate rootA = TestCertificate.builder().commonName("Root A").ca().build();
        TestCertificate rootB = TestCertificate.builder().commonName("Root B").ca().build();
        TestCertificate rootC = TestCertificate.builder().commonName("Root C").ca().build();
        Path bundle = Files.writeString(dir.resolve("ca.pem"), rootA.certificatePem() + rootB.certificatePem());

        X509TrustManager trust = TrustStores.load(bundle);

        assertThat(trust.getAcceptedIssuers()).hasSize(2);
        TestCertificate leafB = TestCertificate.builder().dnsNames("mx.example.com").issuedBy(rootB).build();
        TestCertificate leafC = TestCertificate.builder().dnsNames("mx.example.com").issuedBy(rootC).build();
        PkixVerifier verifier = PkixVerifier.forHost(trust, "mx.example.com");
        assertThat(verifier.verify(leafB.chainWithoutRoot()).passed()).isTrue();
        assertThat(verifier.verify(leafC.chainWithoutRoot()).passed()).isFalse();
    }

    @Test
    void defaultIsTheJdkTrustStore() {
        assertThat(TrustStores.load(null).getAcceptedIssuers()).isNotEmpty();
    }

    @Test
    void fileWithoutCertificatesIsRefusedWithItsName() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");

        assertThatThrownBy(() -> TrustStores.load(empty))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty.pem");
    }

    @Test
    void missingFileIsRefusedWithItsName() {
        Path missing = dir.resolve("missing.pem");

        assertThatThrownBy(() -> TrustStores.fromPemFile(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing.pem");
    }

    @Test
    void verifierRejectsEmptyReferenceList() {
        TestCertificate root = TestCertificate.builder().ca().build();
        assertThatThrownBy(() -> new PkixVerifier(root.trustManager(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
