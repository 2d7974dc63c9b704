package io.stsdane.relay.sts.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.sts.fixture.PolicyServer;
import io.stsdane.relay.testkit.pki.TestCertificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PolicyFetcherTest {

    private static final String DOMAIN = "example.com";
    private static final String POLICY = PolicyServer.enforce(86400, "mx.example.com");

    private final InMemoryDnsResolver dns = new InMemoryDnsResolver();
    private PolicyServer server;
    private final OkHttpClient base = PolicyServer.baseClient(dns);

    @AfterEach
    void tearDown() {
        PolicyServer.shutdown(base);
        if (server != null) {
            server.close();
        }
    }

    private FetchResult fetch(Duration timeout) throws Exception {
        OkHttpClient client = HttpClients.derive(base, PolicyServer.ROOT.trustManager(), timeout);
        return new PolicyFetcher(client, server.port()).fetch(DOMAIN).get(30, TimeUnit.SECONDS);
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

    private static MockResponse.Builder ok() {
        return new MockResponse.Builder().code(200).setHeader("Content-Type", "text/plain");
    }

    @Test
    void fetchesTheWellKnownPolicyOverVerifiedHttps() throws Exception {
        server = PolicyServer.start(dns, DOMAIN).enqueuePolicy(POLICY);

        FetchResult r = fetch();

        assertThat(r).isEqualTo(new FetchResult.Fetched(POLICY));
        RecordedRequest request = server.takeRequest();
        assertThat(request.getUrl().encodedPath()).isEqualTo("/.well-known/mta-sts.txt");
        assertThat(request.getUrl().host()).isEqualTo("mta-sts.example.com");
        assertThat(request.getHandshake()).isNotNull();
        assertThat(request.getHandshakeServerNames()).containsExactly("mta-sts.example.com");
    }

    @Test
    void neverFollowsARedirect() throws Exception {
        server = PolicyServer.start(dns, DOMAIN)
                .enqueue(new MockResponse.Builder().code(301).setHeader("Location", "/elsewhere.txt").build())
                .enqueuePolicy(POLICY);

        FetchResult.Failed f = failed(fetch(), TlsFailure.STS_POLICY_FETCH_ERROR);

        assertThat(f.reason()).contains("HTTP 301", "/elsewhere.txt", "never followed");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void refusesNotFound() throws Exception {
        server = PolicyServer.start(dns, DOMAIN).enqueue(ok().code(404).body(POLICY).build());

        assertThat(failed(fetch(), TlsFailure.STS_POLICY_FETCH_ERROR).reason()).contains("HTTP 404");
    }

    @Test
    void refusesServerError() throws Exception {
        server = PolicyServer.start(dns, DOMAIN).enqueue(ok().code(500).body(POLICY).build());

        assertThat(failed(fetch(), TlsFailure.STS_POLICY_FETCH_ERROR).reason()).contains("HTTP 500");
    }

    @Test
    void refusesOtherSuccessCodes() throws Exception {
        server = PolicyServer.start(dns, DOMAIN).enqueue(ok().code(203).body(POLICY).build());

        assertThat(failed(fetch(), TlsFailure.STS_POLICY_FETCH_ERROR).reason()).contains("HTTP 203");
    }

    @Test
    void refusesWrongMediaType() throws Exception {
        server = PolicyServer.start(dns, DOMAIN).enqueue(ok().setHeader("Content-Type", "text/html").body(POLICY).build());

        assertThat(failed(fetch(), TlsFailure.STS_POLICY_INVALID).reason()).contains("text/html", "text/plain");
    }

    @Test
    void refusesMissingMediaType() throws Exception {
        server = PolicyServer.start(dns, DOMAIN).enqueue(ok().removeHeader("Content-Type").body(POLICY).build());

        failed(fetch(), TlsFailure.STS_POLICY_INVALID);
    }

    @Test
    void acceptsBodyOfExactlyTheLimit() throws Exception {
        String padded = POLICY + "x: " + "y".repeat(PolicyFetcher.MAX_BODY_BYTES - POLICY.length() - 3);
        server = PolicyServer.start(dns, DOMAIN).enqueue(ok().body(padded).build());

        assertThat(fetch()).isEqualTo(new FetchResult.Fetched(padded));
    }

    @Test
    void refusesDeclaredOversizedBody() throws Exception {
        server = PolicyServer.start(dns, DOMAIN)
                .enqueue(ok().body(POLICY + "x".repeat(PolicyFetcher.MAX_BODY_BYTES)).build());

        assertThat(failed(fetch(), TlsFailure.STS_POLICY_FETCH_ERROR).reason()).contains("more than 65536 bytes");
    }

    @Test
    void refusesChunkedOversizedBodyWithoutReadingItAll() throws Exception {
        Buffer huge = new Buffer().writeUtf8(POLICY).writeUtf8("x".repeat(4 * PolicyFetcher.MAX_BODY_BYTES));
        server = PolicyServer.start(dns, DOMAIN).enqueue(ok().chunkedBody(huge, 4096).build());

        assertThat(failed(fetch(), TlsFailure.STS_POLICY_FETCH_ERROR).reason()).contains("more than 65536 bytes");
    }

    @Test
    void givesUpOnASlowBody() throws Exception {
        server = PolicyServer.start(dns, DOMAIN)
                .enqueue(ok().body(POLICY).throttleBody(1, 10, TimeUnit.SECONDS).build());

        assertThat(failed(fetch(Duration.ofSeconds(1)), TlsFailure.STS_POLICY_FETCH_ERROR).reason())
                .containsIgnoringCase("timeout");
    }

    @Test
    void refusesCertificateForAnotherName() throws Exception {
        TestCertificate wrong = TestCertificate.builder().dnsNames("www.example.com").issuedBy(PolicyServer.ROOT).build();
        server = PolicyServer.start(dns, DOMAIN, wrong).enqueuePolicy(POLICY);

        assertThat(failed(fetch(), TlsFailure.STS_WEBPKI_INVALID).reason()).contains("mta-sts.example.com");
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void refusesExpiredCertificate() throws Exception {
        TestCertificate expired = TestCertificate.builder().dnsNames("mta-sts.example.com").expired()
                .issuedBy(PolicyServer.ROOT).build();
        server = PolicyServer.start(dns, DOMAIN, expired).enqueuePolicy(POLICY);

        failed(fetch(), TlsFailure.STS_WEBPKI_INVALID);
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void refusesCertificateFromUntrustedCa() throws Exception {
        TestCertificate otherRoot = TestCertificate.builder().commonName("Untrusted Root").ca().build();
        TestCertificate untrusted = TestCertificate.builder().dnsNames("mta-sts.example.com").issuedBy(otherRoot).build();
        server = PolicyServer.start(dns, DOMAIN, untrusted).enqueuePolicy(POLICY);

        failed(fetch(), TlsFailure.STS_WEBPKI_INVALID);
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void resolvesThePolicyHostOnlyThroughTheRelaysResolver() throws Exception {
        server = PolicyServer.start(dns, DOMAIN).enqueuePolicy(POLICY);
        dns.failing("mta-sts.example.com", "SERVFAIL from test");

        assertThat(failed(fetch(), TlsFailure.STS_POLICY_FETCH_ERROR).reason()).contains("SERVFAIL from test");
        assertThat(server.requestCount()).isZero();
    }
}
