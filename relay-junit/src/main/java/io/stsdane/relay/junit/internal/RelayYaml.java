package io.stsdane.relay.junit.internal;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code relay.yaml} of a world's relay: SMTP listener and admin API on loopback, spool in the world's
 * temporary directory, DNSSEC-validating resolution through the world's DNS server only, delivery to the
 * world's MX port with quick retries, the world's web PKI root as the only trusted CA, MTA-STS policies from the
 * world's policy host. Immutable.
 *
 * @param smtpPort the relay's SMTP listener port
 * @param adminPort the relay's admin API port
 * @param spool the spool directory
 * @param dnsPort the world's DNS server port (on 127.0.0.1)
 * @param trustAnchors the file with the world's root DS
 * @param deliveryPort the port every MX host listens on
 * @param caFile the PEM file of the world's web PKI root
 * @param policyPort the MTA-STS policy host's HTTPS port
 * @param retry the wait between delivery attempts, which is also when a "delayed" DSN is sent
 */
public record RelayYaml(int smtpPort, int adminPort, Path spool, int dnsPort, Path trustAnchors, int deliveryPort,
        Path caFile, int policyPort, Duration retry) {

    public String text() {
        String retryText = retry.toMillis() + "ms";
        return """
                server:
                  listen: 127.0.0.1:%d
                  hostname: relay.test
                spool:
                  dir: %s
                  min-free-disk: 1MiB
                admin:
                  listen: 127.0.0.1:%d
                dns:
                  servers: [127.0.0.1:%d]
                  dnssec: validate
                  trust-anchors: %s
                delivery:
                  port: %d
                  retry-schedule: [%s]
                  delay-warning: %s
                  connect-timeout: 5s
                  denied-networks: []
                tls:
                  ca-file: %s
                mta-sts:
                  https-port: %d
                tls-reporting:
                  enabled: false
                """.formatted(smtpPort, spool, adminPort, dnsPort, trustAnchors, deliveryPort, retryText, retryText,
                caFile, policyPort);
    }
}
