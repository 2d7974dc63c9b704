package io.stsdane.relay.bench;

import io.stsdane.relay.bench.internal.Args;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.sts.StsPolicyServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * Everything around the relay in one end-to-end run: the sink as the MX host of {@code bench.test}, the DNS
 * fixture answering for that domain, the MTA-STS policy server when the variant needs it, and the relay
 * configuration pointing at all of them. Files in the world's directory:
 * <ul>
 *   <li>{@code relay.yaml}: the relay's configuration ({@link RelayConfig})</li>
 *   <li>{@code world.env}: shell assignments for bench/run.sh ({@code RELAY_PORT}, {@code ADMIN_PORT},
 *       {@code SINK_PORT}, {@code SINK_CONTROL}, {@code SPOOL_DIR}...)</li>
 *   <li>{@code ca.pem} (MTA-STS), {@code trust-anchors.txt} (signed zone, written by the {@link BenchDns})</li>
 * </ul>
 * Started once per variant; {@link #close()} stops everything it started. Not thread-safe.
 */
public final class BenchWorld implements AutoCloseable {

    public static final String DOMAIN = "bench.test";
    public static final String MX_HOST = "mx." + DOMAIN;
    public static final String POLICY_HOST = "mta-sts." + DOMAIN;

    private final List<AutoCloseable> started = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();

    private BenchWorld() {
    }

    /**
     * Starts a world.
     *
     * @param sinkDown reserve the sink's port but start no sink, so every delivery attempt is refused and the
     *     relay's queue fills (the memory and recovery measurement)
     */
    public static BenchWorld start(Variant variant, Path dir, BenchDns dns, boolean sinkDown) throws Exception {
        BenchWorld w = new BenchWorld();
        try {
            w.build(variant, Files.createDirectories(dir), dns, sinkDown);
            return w;
        } catch (Exception | Error e) {
            w.close();
            throw e;
        }
    }

    private void build(Variant variant, Path dir, BenchDns dns, boolean sinkDown) throws Exception {
        TestCertificate root = TestCertificate.builder().commonName("Bench Test Root").ca().build();
        TestCertificate mxCert = variant == Variant.MTA_STS
                ? TestCertificate.builder().dnsNames(MX_HOST).issuedBy(root).build()
                : TestCertificate.builder().dnsNames(MX_HOST).build();
        SSLContext sinkTls = variant.sinkTls() ? mxCert.serverContext() : null;

        int sinkPort;
        if (sinkDown) {
            sinkPort = freePort();
            env.put("SINK_CONTROL", "");
        } else {
            SmtpSink sink = SmtpSink.start(new InetSocketAddress("127.0.0.1", 0),
                    new InetSocketAddress("127.0.0.1", 0), sinkTls);
            started.add(sink);
            sinkPort = sink.port();
            env.put("SINK_CONTROL", sink.controlUrl());
        }
        env.put("SINK_PORT", Integer.toString(sinkPort));

        List<BenchZone.Entry> zone = new ArrayList<>(List.of(
                new BenchZone.Entry(DOMAIN, "MX", "10 " + MX_HOST + "."),
                new BenchZone.Entry(MX_HOST, "A", "127.0.0.1")));
        Path caFile = null;
        int policyPort = 0;
        if (variant == Variant.DANE) {
            String tlsa = "3 1 1 " + HexFormat.of().formatHex(sha256(mxCert.certificate().getPublicKey().getEncoded()));
            // TLSA lives at _<port>._tcp (RFC 6698 §3); the relay may ask for 25 or for the configured port
            zone.add(new BenchZone.Entry("_25._tcp." + MX_HOST, "TLSA", tlsa));
            zone.add(new BenchZone.Entry("_" + sinkPort + "._tcp." + MX_HOST, "TLSA", tlsa));
        }
        if (variant == Variant.MTA_STS) {
            TestCertificate policyCert = TestCertificate.builder().dnsNames(POLICY_HOST).issuedBy(root).build();
            StsPolicyServer policy = StsPolicyServer.start(policyCert).serve(DOMAIN,
                    "version: STSv1\r\nmode: enforce\r\nmx: " + MX_HOST + "\r\nmax_age: 86400\r\n");
            started.add(policy);
            policyPort = policy.port();
            caFile = Files.writeString(dir.resolve("ca.pem"), root.certificatePem(), StandardCharsets.US_ASCII);
            zone.add(new BenchZone.Entry("_mta-sts." + DOMAIN, "TXT", "\"v=STSv1; id=bench1\""));
            zone.add(new BenchZone.Entry(POLICY_HOST, "A", "127.0.0.1"));
        }

        // every variant validates DNSSEC, as a deployed relay does; only the DANE zone publishes TLSA
        started.add(dns);
        BenchDns.Served served = dns.serve(new BenchZone(DOMAIN, true, zone), dir);

        Path spool = Files.createDirectories(dir.resolve("spool"));
        RelayConfig config = new RelayConfig(freePort(), freePort(), spool, served.address().getPort(),
                served.trustAnchors(), sinkPort, caFile, policyPort);
        Files.writeString(dir.resolve("relay.yaml"), config.yaml(), StandardCharsets.UTF_8);
        env.put("RELAY_PORT", Integer.toString(config.smtpPort()));
        env.put("ADMIN_PORT", Integer.toString(config.adminPort()));
        env.put("DNS_PORT", Integer.toString(served.address().getPort()));
        env.put("SPOOL_DIR", spool.toString());
        env.put("RECIPIENT", "bench@" + DOMAIN);
        StringBuilder sh = new StringBuilder();
        env.forEach((k, v) -> sh.append(k).append("='").append(v).append("'\n"));
        Files.writeString(dir.resolve("world.env.tmp"), sh, StandardCharsets.UTF_8);
        // renamed last: bench/run.sh waits for world.env, so it must appear complete
        Files.move(dir.resolve("world.env.tmp"), dir.resolve("world.env"));
    }

    public Map<String, String> env() {
        return Map.copyOf(env);
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                System.err.println("bench world: stopping " + started.get(i) + " failed: " + e);
            }
        }
        started.clear();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static byte[] sha256(byte[] b) throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    /**
     * {@code world --variant plaintext|starttls|dane|mta-sts --dir DIR [--sink-down false]}: starts the world,
     * writes its files into DIR, prints world.env, and runs until killed.
     */
    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv, 0);
        BenchWorld w = start(Variant.parse(a.required("variant")), Path.of(a.required("dir")), new TestkitDns(),
                Boolean.parseBoolean(a.string("sink-down", "false")));
        Runtime.getRuntime().addShutdownHook(new Thread(w::close));
        w.env().forEach((k, v) -> System.out.println(k + "=" + v));
        System.out.flush();
        Thread.currentThread().join();
    }
}
