package io.stsdane.relay.testkit.config;

import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.pki.TestCertificate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code relay.yaml} for a relay under test, built one section at a time: the sections that point a relay at
 * the fixtures of this kit (loopback listeners, the signed-zone DNS server, the MX port, a test web PKI root, the
 * MTA-STS policy host) plus any keys a test adds. Each section is written once, with its keys in the order they
 * were added; keys the text does not name keep the relay's defaults. Knows YAML key names only, no relay types.
 *
 * <pre>{@code
 * String yaml = RelayConfigYaml.onLoopback(smtpPort, dir.resolve("spool"), adminPort)
 *         .signedDns(dns, dir)
 *         .deliveryPort(mxPort)
 *         .key("delivery", "retry-schedule", "[1s]")
 *         .text();
 * }</pre>
 *
 * <p>Not thread-safe: build it on one thread.
 */
public final class RelayConfigYaml {

    private final Map<String, StringBuilder> sections = new LinkedHashMap<>();

    private RelayConfigYaml() {
    }

    /** No section yet: for the part of a configuration that a test adds to another. */
    public static RelayConfigYaml sections() {
        return new RelayConfigYaml();
    }

    /**
     * The SMTP listener on {@code 127.0.0.1:smtpPort} as {@code relay.test}, the spool in {@code spool} (with a
     * 1 MiB free-disk floor, as a test disk may be nearly full) and the admin API on {@code 127.0.0.1:adminPort}.
     */
    public static RelayConfigYaml onLoopback(int smtpPort, Path spool, int adminPort) {
        return new RelayConfigYaml()
                .key("server", "listen", "127.0.0.1:" + smtpPort)
                .key("server", "hostname", "relay.test")
                .key("spool", "dir", spool.toString())
                .key("spool", "min-free-disk", "1MiB")
                .key("admin", "listen", "127.0.0.1:" + adminPort);
    }

    /**
     * Resolution through {@code dns} only, validating DNSSEC (RFC 4035 §5) against its root trust anchor, which
     * is written to {@code dir}.
     */
    public RelayConfigYaml signedDns(DnsTestServer dns, Path dir) {
        return signedDns(dns.address().getPort(), dns.trustAnchorFile(dir));
    }

    /** Resolution through the DNS server on {@code 127.0.0.1:dnsPort}, validating against {@code trustAnchors}. */
    public RelayConfigYaml signedDns(int dnsPort, Path trustAnchors) {
        return key("dns", "servers", "[127.0.0.1:" + dnsPort + "]")
                .key("dns", "dnssec", "validate")
                .key("dns", "trust-anchors", trustAnchors.toString());
    }

    /**
     * Delivery to every MX host on {@code port}, with no network denied: the test MX hosts listen on
     * {@code 127.0.0.x}, which the default denied list refuses.
     */
    public RelayConfigYaml deliveryPort(int port) {
        return key("delivery", "port", Integer.toString(port))
                .key("delivery", "denied-networks", "[]");
    }

    /** {@code webRoot} as the only trusted CA ({@code tls.ca-file}), its PEM written to {@code dir/web-root.pem}. */
    public RelayConfigYaml trustedRoot(TestCertificate webRoot, Path dir) {
        try {
            Path ca = Files.writeString(dir.resolve("web-root.pem"), webRoot.certificatePem(),
                    StandardCharsets.US_ASCII);
            return key("tls", "ca-file", ca.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** MTA-STS policies fetched from the policy host's HTTPS port ({@code mta-sts.https-port}). */
    public RelayConfigYaml stsHttpsPort(int port) {
        return key("mta-sts", "https-port", Integer.toString(port));
    }

    /** One {@code key: value} line in {@code section}; {@code value} is YAML as written. */
    public RelayConfigYaml key(String section, String key, String value) {
        return lines(section, "  " + key + ": " + value + "\n");
    }

    /**
     * Lines of YAML in {@code section}, each indented by two spaces (nested keys by more) and ending in a
     * newline; empty adds nothing.
     */
    public RelayConfigYaml lines(String section, String indentedYaml) {
        if (indentedYaml.isEmpty()) {
            return this;
        }
        sections.computeIfAbsent(section, s -> new StringBuilder()).append(indentedYaml);
        return this;
    }

    /** Every key of {@code other}, each section's after the keys this one has in it already. */
    public RelayConfigYaml append(RelayConfigYaml other) {
        other.sections.forEach((section, body) -> lines(section, body.toString()));
        return this;
    }

    /** The configuration as YAML, section by section in the order first named. */
    public String text() {
        StringBuilder yaml = new StringBuilder();
        sections.forEach((section, body) -> yaml.append(section).append(":\n").append(body));
        return yaml.toString();
    }

    @Override
    public String toString() {
        return text();
    }
}
