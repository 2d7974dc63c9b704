package io.stsdane.relay.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnssecMode;
import io.stsdane.relay.dns.DnsResolvers;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The readiness DNS probe (MX of the root) against the signed fixture, over real UDP, with a real validator. */
class DnsHealthCheckFixtureTest {

    @TempDir
    Path dir;

    private final DnsTestServer dns = DnsTestServer.start();

    @AfterEach
    void stop() {
        dns.close();
    }

    private HealthCheck.Status probe(Path trustAnchors) {
        DnsOptions options = new DnsOptions(List.of(dns.address()), DnssecMode.VALIDATE, trustAnchors, false,
                Duration.ofSeconds(2), 0, 100);
        return new DnsHealthCheck(DnsResolvers.create(options), DnsHealthCheck.DEFAULT_PROBE, Duration.ofSeconds(20))
                .check();
    }

    @Test
    void aValidatedNegativeAnswerForTheRootIsHealthy() {
        HealthCheck.Status s = probe(dns.trustAnchorFile(dir));

        assertThat(s.up()).as(s.detail()).isTrue();
        assertThat(s.detail()).isEqualTo("MX .: NODATA SECURE");
    }

    @Test
    void aWrongTrustAnchorMakesDnsUnready() throws Exception {
        Path foreign;
        try (DnsTestServer other = DnsTestServer.start()) {
            foreign = Files.createDirectories(dir.resolve("other"));
            foreign = other.trustAnchorFile(foreign);
        }

        HealthCheck.Status s = probe(foreign);

        assertThat(s.up()).isFalse();
        assertThat(s.detail()).startsWith("MX .: ").contains("BOGUS");
    }
}
