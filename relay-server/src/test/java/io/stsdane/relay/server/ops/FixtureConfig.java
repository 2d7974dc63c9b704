package io.stsdane.relay.server.ops;

import io.stsdane.relay.testkit.config.RelayConfigYaml;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.pki.TestCertificate;
import java.io.IOException;
import java.nio.file.Path;

/** The {@code relay.yaml} sections that point a relay at the test fixtures. */
public final class FixtureConfig {

    private FixtureConfig() {
    }

    /**
     * {@code dns:} validating against {@code dns}'s trust anchor, {@code delivery.port}, {@code mta-sts.https-port}
     * and {@code tls.ca-file} trusting {@code webRoot}; files are written to {@code dir}.
     *
     * @param deliveryExtra further {@code delivery:} keys, each a line indented by two spaces, or empty
     */
    public static String yaml(Path dir, DnsTestServer dns, int smtpPort, String deliveryExtra, int httpsPort,
            TestCertificate webRoot) throws IOException {
        return RelayConfigYaml.sections().signedDns(dns, dir).deliveryPort(smtpPort).lines("delivery", deliveryExtra)
                .stsHttpsPort(httpsPort).trustedRoot(webRoot, dir).text();
    }
}
