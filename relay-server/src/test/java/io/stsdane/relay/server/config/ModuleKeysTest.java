package io.stsdane.relay.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnssecMode;
import io.stsdane.relay.core.pki.TrustStores;
import io.stsdane.relay.dns.DnsResolvers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The errors modules find while building, which name Java parameters, reach the operator under the YAML key. */
class ModuleKeysTest {

    @TempDir
    Path dir;

    @Test
    void anUnusableCaFileIsReportedAsTlsCaFile() throws Exception {
        Path empty = Files.writeString(dir.resolve("ca.pem"), "");
        assertThatThrownBy(() -> TrustStores.load(empty)).hasMessageStartingWith("caFile " + empty);

        assertThatThrownBy(() -> ModuleKeys.TLS.build(() -> TrustStores.load(empty)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tls.ca-file " + empty + " holds no certificate");
    }

    @Test
    void trustAnchorsWithoutRecordsAreReportedAsDnsTrustAnchors() throws Exception {
        Path anchors = Files.writeString(dir.resolve("root.key"), "; no records\n");
        DnsOptions options = new DnsOptions(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), 53)),
                DnssecMode.VALIDATE, anchors, false, Duration.ofSeconds(1), 0, 0);

        assertThatThrownBy(() -> ModuleKeys.DNS.build(() -> DnsResolvers.create(options)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("dns.trust-anchors: " + anchors + " holds no DS or DNSKEY record");
    }

    @Test
    void onlyALeadingParameterOfTheseKeysIsRenamed() {
        assertThat(ModuleKeys.SERVER.rename("tlsKey /k.pem: not a key")).isEqualTo("server.tls.key /k.pem: not a key");
        assertThat(ModuleKeys.SERVER.rename("usersFile /u cannot be read"))
                .isEqualTo("server.auth.users-file /u cannot be read");
        assertThat(ModuleKeys.SERVER.rename("tlsKeys are many")).isEqualTo("tlsKeys are many");
        assertThat(ModuleKeys.SERVER.rename("a tlsKey")).isEqualTo("a tlsKey");
    }
}
