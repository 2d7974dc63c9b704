package io.stsdane.relay.testkit.sts;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.testkit.pki.TestCertificate;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The MTA-STS policy host over real HTTPS, trusted through the root that issued its certificate. */
class StsPolicyServerTest {

    private static final TestCertificate ROOT = TestCertificate.builder().commonName("root").ca().build();
    private static final TestCertificate CERT = TestCertificate.builder()
            .dnsNames("mta-sts.a.example", "mta-sts.b.example").issuedBy(ROOT).build();

    @Test
    void servesEachDomainItsOwnPolicyAndCountsRequests() throws IOException {
        try (StsPolicyServer s = StsPolicyServer.start(CERT)) {
            s.serve("a.example", StsPolicyServer.policy("enforce", "mx.a.example"));

            assertThat(get(s, "mta-sts.a.example", "/.well-known/mta-sts.txt"))
                    .startsWith("HTTP/1.1 200")
                    .endsWith("version: STSv1\nmode: enforce\nmax_age: 86400\nmx: mx.a.example\n");
            assertThat(get(s, "mta-sts.b.example", "/.well-known/mta-sts.txt")).startsWith("HTTP/1.1 404");
            assertThat(get(s, "mta-sts.a.example", "/other")).startsWith("HTTP/1.1 404");
            assertThat(s.requests("a.example")).isEqualTo(2);
        }
    }

    @Test
    void anUnavailableDomainGets503UntilItsPolicyIsServedAgain() throws IOException {
        try (StsPolicyServer s = StsPolicyServer.start(CERT)) {
            s.serve("a.example", StsPolicyServer.policy("testing", "*.a.example")).unavailable("a.example");
            assertThat(get(s, "mta-sts.a.example", "/.well-known/mta-sts.txt")).startsWith("HTTP/1.1 503");

            s.serve("a.example", StsPolicyServer.policy("testing", "*.a.example"));
            assertThat(get(s, "mta-sts.a.example", "/.well-known/mta-sts.txt")).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    @Timeout(60)
    void answersTheStatusSetForADomainAndHoldsAnswersUntilReleased() throws Exception {
        try (StsPolicyServer s = StsPolicyServer.start(CERT)) {
            s.serve("a.example", StsPolicyServer.policy("enforce", 600, "mx.a.example")).answer("a.example", 500);
            assertThat(get(s, "mta-sts.a.example", "/.well-known/mta-sts.txt")).startsWith("HTTP/1.1 500");

            CountDownLatch release = new CountDownLatch(1);
            s.serve("a.example", StsPolicyServer.policy("enforce", 600, "mx.a.example")).holdUntil(release);
            CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return get(s, "mta-sts.a.example", "/.well-known/mta-sts.txt");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            while (s.requests("a.example") < 2) {
                Thread.onSpinWait();
            }
            assertThat(held).isNotDone();
            release.countDown();

            assertThat(held.get(30, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200")
                    .endsWith("mode: enforce\nmax_age: 600\nmx: mx.a.example\n");
        }
    }

    private static String get(StsPolicyServer s, String host, String path) throws IOException {
        try (Socket c = ROOT.clientContextTrustingThis().getSocketFactory().createSocket("127.0.0.1", s.port())) {
            OutputStream out = c.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
