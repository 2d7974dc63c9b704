package io.stsdane.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.testkit.pki.TrustAnything;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchWorldTest {

    @TempDir
    Path dir;

    /** Stands in for the DNS fixture at the seam: keeps the zone it is asked to serve. */
    private static final class RecordingDns implements BenchDns {
        BenchZone zone;

        @Override
        public Served serve(BenchZone z, Path workDir) throws java.io.IOException {
            zone = z;
            return new Served(new InetSocketAddress("127.0.0.1", 5353),
                    Files.writeString(workDir.resolve("trust-anchors.txt"), "bench.test. DS 1 13 2 00\n"));
        }

        @Override
        public void close() {
        }
    }

    @Test
    void daneWorldPublishesTheTlsaOfTheCertificateTheSinkPresents() throws Exception {
        RecordingDns dns = new RecordingDns();
        try (BenchWorld w = BenchWorld.start(Variant.DANE, dir, dns, false)) {
            Properties env = env();
            X509Certificate presented = certificateAfterStartTls(Integer.parseInt(env.getProperty("SINK_PORT")));
            String expected = "3 1 1 " + HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(presented.getPublicKey().getEncoded()));

            assertThat(dns.zone.signed()).isTrue();
            assertThat(dns.zone.entries()).contains(
                    new BenchZone.Entry("bench.test", "MX", "10 mx.bench.test."),
                    new BenchZone.Entry("mx.bench.test", "A", "127.0.0.1"),
                    new BenchZone.Entry("_25._tcp.mx.bench.test", "TLSA", expected));
            assertThat(dns.zone.records()).hasSize(dns.zone.entries().size());
            assertThat(Files.readString(dir.resolve("relay.yaml")))
                    .contains("servers: [\"127.0.0.1:5353\"]", "trust-anchors: " + dir.resolve("trust-anchors.txt"),
                            "port: " + env.getProperty("SINK_PORT"), "listen: 127.0.0.1:" + env.getProperty("RELAY_PORT"));
        }
    }

    @Test
    void mtaStsWorldServesAnEnforcePolicyOverHttpsUnderTheTestRoot() throws Exception {
        RecordingDns dns = new RecordingDns();
        try (BenchWorld w = BenchWorld.start(Variant.MTA_STS, dir, dns, false)) {
            String yaml = Files.readString(dir.resolve("relay.yaml"));
            int port = Integer.parseInt(yaml.replaceAll("(?s).*https-port: (\\d+).*", "$1"));
            // The request the relay sends (RFC 8461 §3.3), over a connection to 127.0.0.1 where mta-sts.bench.test
            // points; the chain is checked against ca.pem, the name below.
            String response;
            X509Certificate served;
            try (SSLSocket c = (SSLSocket) trusting(dir.resolve("ca.pem")).getSocketFactory()
                    .createSocket("127.0.0.1", port)) {
                c.getOutputStream().write(("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.bench.test:" + port
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                response = new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                served = (X509Certificate) c.getSession().getPeerCertificates()[0];
            }

            assertThat(response).startsWith("HTTP/1.1 200 ").containsIgnoringCase("\r\ncontent-type: text/plain\r\n")
                    .contains("mode: enforce", "mx: mx.bench.test");
            assertThat(served.getSubjectAlternativeNames()).anySatisfy(n -> assertThat(n.get(1)).isEqualTo("mta-sts.bench.test"));
            assertThat(yaml).contains("ca-file: " + dir.resolve("ca.pem"));
            assertThat(dns.zone.entries()).contains(new BenchZone.Entry("_mta-sts.bench.test", "TXT",
                    "\"v=STSv1; id=bench1\""));
        }
    }

    @Test
    void sinkDownWorldLeavesTheDeliveryPortClosed() throws Exception {
        try (BenchWorld w = BenchWorld.start(Variant.PLAINTEXT, dir, new RecordingDns(), true)) {
            Properties env = env();
            assertThat(env.getProperty("SINK_CONTROL")).isEqualTo("''");
            try (Socket s = new Socket()) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.connect(
                        new InetSocketAddress("127.0.0.1", Integer.parseInt(env.getProperty("SINK_PORT").replace("'", ""))),
                        2000)).isInstanceOf(java.net.ConnectException.class);
            }
        }
    }

    private Properties env() throws Exception {
        Properties p = new Properties();
        for (String line : Files.readAllLines(dir.resolve("world.env"))) {
            int eq = line.indexOf('=');
            String v = line.substring(eq + 1);
            p.setProperty(line.substring(0, eq), v.equals("''") ? v : v.replace("'", ""));
        }
        return p;
    }

    private static X509Certificate certificateAfterStartTls(int port) throws Exception {
        try (Socket plain = new Socket("127.0.0.1", port)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = plain.getOutputStream();
            in.readLine();
            out.write("STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("220");
            // DANE-EE ignores the chain (RFC 7672 §3.1.1): the test only needs the presented leaf.
            SSLSocket tls = (SSLSocket) TrustAnything.clientContext().getSocketFactory()
                    .createSocket(plain, "mx.bench.test", port, true);
            tls.startHandshake();
            return (X509Certificate) tls.getSession().getPeerCertificates()[0];
        }
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            ks.setCertificateEntry("root", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
        return ctx;
    }
}
