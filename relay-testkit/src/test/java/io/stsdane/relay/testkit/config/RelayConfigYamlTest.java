package io.stsdane.relay.testkit.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.testkit.pki.TestCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayConfigYamlTest {

    @TempDir
    Path dir;

    @Test
    void writesEachSectionOnceWithItsKeysInTheOrderAdded() {
        String yaml = RelayConfigYaml.onLoopback(2525, Path.of("/spool"), 8080)
                .deliveryPort(25)
                .lines("server", "  tls:\n    cert: c.pem\n")
                .key("delivery", "retry-schedule", "[1s]")
                .lines("spool", "")
                .text();

        assertThat(yaml).isEqualTo("""
                server:
                  listen: 127.0.0.1:2525
                  hostname: relay.test
                  tls:
                    cert: c.pem
                spool:
                  dir: /spool
                  min-free-disk: 1MiB
                admin:
                  listen: 127.0.0.1:8080
                delivery:
                  port: 25
                  denied-networks: []
                  retry-schedule: [1s]
                """);
    }

    @Test
    void trustsTheWebRootThroughAPemFileItWrites() throws Exception {
        TestCertificate root = TestCertificate.builder().commonName("root").ca().build();

        String yaml = RelayConfigYaml.sections().trustedRoot(root, dir).stsHttpsPort(8443).text();

        Path ca = dir.resolve("web-root.pem");
        assertThat(yaml).isEqualTo("tls:\n  ca-file: " + ca + "\nmta-sts:\n  https-port: 8443\n");
        assertThat(Files.readString(ca)).isEqualTo(root.certificatePem());
    }
}
