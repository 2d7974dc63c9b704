package io.stsdane.relay.testkit.world;

import io.stsdane.relay.testkit.config.RelayConfigYaml;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.dns.TestZone;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import io.stsdane.relay.testkit.sts.StsPolicyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.Type;

/**
 * The internet a relay under test delivers into: a DNSSEC-signing DNS server that is the relay's only resolver,
 * a web PKI root that is the relay's only trusted CA, an HTTPS MTA-STS policy host ({@link StsPolicyServer}) with
 * a certificate from that root, and MX hosts ({@link TestSmtpServer}) on distinct loopback addresses that all
 * listen on one delivery port, as {@code delivery.port} makes the relay connect to every MX host on one port.
 * {@link #relayYaml(Path)} points a relay at it; the relay itself is the caller's.
 *
 * <p>Thread-safe. Needs Linux for {@link #nextAddress()} ({@code 127.0.x.y} besides {@code 127.0.0.1}: Linux
 * routes all of {@code 127.0.0.0/8} to the loopback interface).
 */
public final class TestInternet implements AutoCloseable {

    private final TestCertificate webRoot;
    private final DnsTestServer dns;
    private final StsPolicyServer policies;
    private final int deliveryPort;
    private final AtomicInteger nextHost = new AtomicInteger(10);
    private final List<TestSmtpServer> mxHosts = new CopyOnWriteArrayList<>();

    private TestInternet(TestCertificate webRoot, DnsTestServer dns, StsPolicyServer policies, int deliveryPort) {
        this.webRoot = webRoot;
        this.dns = dns;
        this.policies = policies;
        this.deliveryPort = deliveryPort;
    }

    /**
     * Starts the DNS server and the policy host.
     *
     * @param stsDomains the domains whose {@code mta-sts.<domain>} the policy host's certificate names: every
     *     domain that will publish an MTA-STS policy (RFC 8461 §3.3)
     */
    public static TestInternet start(Collection<String> stsDomains) {
        TestCertificate webRoot = TestCertificate.builder().commonName("Test Web PKI Root").ca().build();
        String[] policyHosts = stsDomains.isEmpty() ? new String[] {"mta-sts.invalid"}
                : stsDomains.stream().map(d -> "mta-sts." + d).toArray(String[]::new);
        DnsTestServer dns = DnsTestServer.start();
        try {
            StsPolicyServer policies = StsPolicyServer.start(
                    TestCertificate.builder().dnsNames(policyHosts).issuedBy(webRoot).build());
            return new TestInternet(webRoot, dns, policies, freePort());
        } catch (RuntimeException e) {
            dns.close();
            throw e;
        }
    }

    public DnsTestServer dns() {
        return dns;
    }

    /** The root the relay trusts ({@code tls.ca-file}). */
    public TestCertificate webRoot() {
        return webRoot;
    }

    public StsPolicyServer policies() {
        return policies;
    }

    /** The port of every MX host; DANE looks up TLSA at {@code _<port>._tcp.<host>} (RFC 6698 §3). */
    public int deliveryPort() {
        return deliveryPort;
    }

    /** A fresh loopback address ({@code 127.0.x.y}, from {@code 127.0.0.10}) for one MX host. */
    public String nextAddress() {
        int n = nextHost.getAndIncrement();
        return "127.0.%d.%d".formatted(n / 250, 1 + n % 250);
    }

    /** A leaf certificate for {@code names} that chains to {@link #webRoot()}. */
    public TestCertificate webPkiCertificate(String... names) {
        return TestCertificate.builder().dnsNames(names).issuedBy(webRoot).build();
    }

    /** Starts an MX host at {@code address} on the delivery port; it stops with this internet. */
    public TestSmtpServer mx(String address, SmtpBehavior behavior) {
        try {
            TestSmtpServer s = TestSmtpServer.start(InetAddress.getByName(address), deliveryPort, behavior);
            mxHosts.add(s);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Publishes {@code domain}'s MTA-STS TXT record with {@code id} in {@code zone} (replacing an earlier one,
     * RFC 8461 §3.1), points {@code mta-sts.<domain>} at the policy host and serves {@code policy} for it.
     * The domain must be one of those this internet was started with.
     */
    public void stsPolicy(TestZone zone, String domain, String id, String policy) {
        zone.remove("_mta-sts." + domain, Type.TXT)
                .txt("_mta-sts." + domain, "v=STSv1; id=" + id + ";")
                .a("mta-sts." + domain, "127.0.0.1");
        policies.serve(domain, policy);
    }

    /**
     * The {@code dns:}, {@code delivery:}, {@code tls:} and {@code mta-sts:} keys that point a relay at this
     * internet; the trust anchor and the web root's PEM are written to {@code dir}.
     */
    public RelayConfigYaml relayYaml(Path dir) {
        return RelayConfigYaml.sections().signedDns(dns, dir).deliveryPort(deliveryPort)
                .trustedRoot(webRoot, dir).stsHttpsPort(policies.port());
    }

    /** Stops every MX host, the policy host and the DNS server. */
    @Override
    public void close() {
        mxHosts.forEach(TestSmtpServer::close);
        policies.close();
        dns.close();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
