package io.stsdane.relay.sts.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.sts.StsPolicyServer;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.QueueDispatcher;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PolicyFetcherTest {

    private static final String DOMAIN = "example.com";
    private static final String POLICY = StsPolicyServer.policy("enforce", "mx.example.com");
    private static final TestCertificate ROOT = TestCertificate.builder().commonName("Test Web PKI Root").ca().build();
    private static final TestCertificate POLICY_HOST = TestCertificate.builder().dnsNames("mta-sts." + DOMAIN)
            .issuedBy(ROOT).build();

    private final InMemoryDnsResolver dns = new InMemoryDnsResolver();
    private final OkHttpClient base = io.stsdane.relay.core.testing.HttpClients.resolvingThrough(dns);
    private MockWebServer server;

    @AfterEach
    void tearDown() {
        io.stsdane.relay.core.testing.HttpClients.shutdown(base);
        if (server != null) {
            server.close();
        }
    }

    private FetchResult fetch(Duration timeout) throws Exception {
        OkHttpClient client = HttpClients.derive(base, ROOT.trustManager(), timeout);
        return new PolicyFetcher(client, server.getPort()).fetch(DOMAIN).get(30, TimeUnit.SECONDS);
    }

    private FetchResult fetch() throws Exception {
        return fetch(Duration.ofSeconds(10));
    }

    private static FetchResult.Failed failed(FetchResult r, TlsFailure kind) {
        assertThat(r).isInstanceOf(FetchResult.Failed.class);
        FetchResult.Failed f = (FetchResult.Failed) r;
        assertThat(f.failure()).as(f.reason()).isEqualTo(kind);
        return f;
    }

    /**
     * The HTTP side of the fetch scripted to the byte (RFC 8461 §3.3): the policy host {@code mta-sts.<domain>}
     * over HTTPS with {@code certificate}, answering {@code responses} in turn and 404 after them.
     */
    private MockWebServer start(TestCertificate certificate, MockResponse... responses) throws IOException {
        QueueDispatcher queue = new QueueDispatcher();
        queue.setFailFast(true); // an unexpected request gets a 404 instead of hanging
        for (MockResponse r : responses) {
            queue.enqueue(r);
        }
        MockWebServer s = new MockWebServer();
        s.useHttps(certificate.serverContext().getSocketFactory());
        s.setDispatcher(queue);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        s.start(loopback, 0);
        dns.address("mta-sts." + DOMAIN, loopback);
        return s;
    }

    private MockWebServer start(MockResponse... responses) throws IOException {
        return start(POLICY_HOST, responses);
    }

    private static MockResponse policy() {
        return ok().setHeader("Content-Type", "text/plain; charset=utf-8").body(POLICY).build();
    }

    private static MockResponse.Builder ok() {
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "text/plain");
    }

    @Test
    void fetchesTheWellKnownPolicyOverVerifiedHttps() throws Exception {
        server = start(policy());

        FetchResult r = fetch();

        assertThat(r).isEqualTo(new FetchResult.Fetched(POLICY));
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getUrl().encodedPath()).isEqualTo("/.well-known/mta-sts.txt");
        assertThat(request.getUrl().host()).isEqualTo("mta-sts.example.com");
        assertThat(request.getHandshake()).isNotNull();
        assertThat(request.getHandshakeServerNames()).containsExactly("mta-sts.example.com");
    }

    @Test
    void neverFollowsARedirect() throws Exception {
        server = start(new MockResponse.Builder().code(301).setHeader("Location", "/elsewhere.txt").build(),
                policy());

        FetchResult.Failed f = failed(fetch(), TlsFailure.STS_POLICY_FETCH_ERROR);

        assertThat(f.reason()).contains("HTTP 301", "/elsewhere.txt", "never followed");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void refusesNotFound() throws Exception {
        server = start(ok().code(404).body(POLICY).build());

        assertThat(failed(fetch(), TlsFailure.STS_POLICY_FETCH_ERROR).reason()).contains("HTTP 404");
    }

    @Test
    void refusesServerError() throws Exception {
        server = start(ok().code(500).body(POLICY).build());

        assertThat(failed(fetch(), TlsFailure.STS_POLICY_FETCH_ERROR).reason()).contains("HTTP 500");
    }

    @Test
    void refusesOtherSuccessCodes() throws Exception {
        server = start(ok().code(203).body(POLICY).build());

        assertThat(failed(fetch(), TlsFailure.STS_POLICY_FETCH_ERROR).reason()).contains("HTTP 203");
    }

    @Test
    void refusesWrongMediaType() throws Exception {
        server = start(ok().setHeader("Content-Type", "text/html").body(POLICY).build());

        assertThat(failed(fetch(), TlsFailure.STS_POLICY_INVALID).reason()).contains("text/html", "text/plain");
    }

    @Test
    void refusesMissingMediaType() throws Exception {
        server = start(ok().removeHeader("Content-Type").body(POLICY).build());

        failed(fetch(), TlsFailure.STS_POLICY_INVALID);
    }

    @Test
    void acceptsBodyOfExactlyTheLimit() throws Exception {
        String padded = POLICY + "x: " + "y".repeat(PolicyFetcher.MAX_BODY_BYTES - POLICY.length() - 3);
        server = start(ok().body(padded).build());

        assertThat(fetch()).isEqualTo(new FetchResult.Fetched(padded));
    }

    @Test
    void refusesDeclaredOversizedBody() throws Exception {
        server = start(ok().body(POLICY + "x".repeat(PolicyFetcher.MAX_BODY_BYTES)).build());

        assertThat(failed(fetch(), TlsFailure.STS_POLICY_FETCH_ERROR).reason()).contains("more than 65536 bytes");
    }

    @Test
    void refusesChunkedOversizedBodyWithoutReadingItAll() throws Exception {
        Buffer huge = new Buffer().writeUtf8(POLICY).writeUtf8("x".repeat(4 * PolicyFetcher.MAX_BODY_BYTES));
        server = start(ok().chunkedBody(huge, 4096).build());

        assertThat(failed(fetch(), TlsFailure.STS_POLICY_FETCH_ERROR).reason()).contains("more than 65536 bytes");
    }

    @Test
    void givesUpOnASlowBody() throws Exception {
        server = start(ok().body(POLICY).throttleBody(1, 10, TimeUnit.SECONDS).build());

        assertThat(failed(fetch(Duration.ofSeconds(1)), TlsFailure.STS_POLICY_FETCH_ERROR).reason())
                .containsIgnoringCase("timeout");
    }

    @Test
    void refusesCertificateForAnotherName() throws Exception {
        TestCertificate wrong = TestCertificate.builder().dnsNames("www.example.com").issuedBy(ROOT).build();
        server = start(wrong, policy());

        assertThat(failed(fetch(), TlsFailure.STS_WEBPKI_INVALID).reason()).contains("mta-sts.example.com");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void refusesExpiredCertificate() throws Exception {
        TestCertificate expired = TestCertificate.builder().dnsNames("mta-sts.example.com").expired()
                .issuedBy(ROOT).build();
        server = start(expired, policy());

        failed(fetch(), TlsFailure.STS_WEBPKI_INVALID);
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void refusesCertificateFromUntrustedCa() throws Exception {
        TestCertificate otherRoot = TestCertificate.builder().commonName("Untrusted Root").ca().build();
        TestCertificate untrusted = TestCertificate.builder().dnsNames("mta-sts.example.com").issuedBy(otherRoot).build();
        server = start(untrusted, policy());

        failed(fetch(), TlsFailure.STS_WEBPKI_INVALID);
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void resolvesThePolicyHostOnlyThroughTheRelaysResolver() throws Exception {
        server = start(policy());
        dns.failing("mta-sts.example.com", "SERVFAIL from test");

        assertThat(failed(fetch(), TlsFailure.STS_POLICY_FETCH_ERROR).reason()).contains("SERVFAIL from test");
        assertThat(server.getRequestCount()).isZero();
    }
}
