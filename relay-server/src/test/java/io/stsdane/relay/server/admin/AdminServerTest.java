package io.stsdane.relay.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.server.FakeQueueAdmin;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminServerTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final FakeQueueAdmin queue = new FakeQueueAdmin();
    private AdminServer server;

    @TempDir
    Path spool;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void metricsAreScrapedInPrometheusFormat() throws Exception {
        registry.counter("relay.messages.received").increment(3);
        start(List.of(), Optional.empty());

        HttpResponse<String> r = get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(r.body()).contains("relay_messages_received_total 3.0");
    }

    @Test
    void livenessIsUpWhateverTheChecksSay() throws Exception {
        start(List.of(fixed("broken", false)), Optional.empty());

        HttpResponse<String> r = get("/health");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("status").asText()).isEqualTo("UP");
    }

    @Test
    void readinessIsUpWhenTheSpoolIsWritableAndDnsAnswers() throws Exception {
        InMemoryDnsResolver dns = new InMemoryDnsResolver().mx("example.com", DnsSecurity.SECURE, new MxRecord(0, ""));
        start(List.of(new SpoolWritableCheck(spool, 0), new DnsHealthCheck(dns, "example.com", Duration.ofSeconds(5))),
                Optional.empty());

        HttpResponse<String> r = get("/health/ready");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.at("/checks/spool/status").asText()).isEqualTo("UP");
        assertThat(body.at("/checks/dns/status").asText()).isEqualTo("UP");
    }

    @Test
    void readinessFailsWhenTheSpoolIsMissing() throws Exception {
        start(List.of(new SpoolWritableCheck(spool.resolve("missing"), 0)), Optional.empty());

        HttpResponse<String> r = get("/health/ready");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(json(r).get("status").asText()).isEqualTo("DOWN");
        assertThat(json(r).at("/checks/spool/detail").asText()).contains("does not exist");
    }

    @Test
    void readinessFailsWhenTheSpoolDiskIsTooFull() throws Exception {
        start(List.of(new SpoolWritableCheck(spool, Long.MAX_VALUE), fixed("dns", true)), Optional.empty());

        HttpResponse<String> r = get("/health/ready");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(json(r).at("/checks/spool/detail").asText()).contains("below spool.min-free-disk");
        assertThat(json(r).at("/checks/dns/status").asText()).isEqualTo("UP");
    }

    @Test
    void readinessFailsWhenDnsValidationFails() throws Exception {
        InMemoryDnsResolver dns = new InMemoryDnsResolver()
                .mx("example.com", DnsResult.error("example.com", DnsSecurity.BOGUS, "RRSIG expired"));
        start(List.of(new DnsHealthCheck(dns, "example.com", Duration.ofSeconds(5))), Optional.empty());

        HttpResponse<String> r = get("/health/ready");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(json(r).at("/checks/dns/detail").asText()).contains("BOGUS").contains("RRSIG expired");
    }

    @Test
    void aThrowingCheckIsReportedAsDown() throws Exception {
        HealthCheck throwing = new HealthCheck() {
            @Override
            public String name() {
                return "throws";
            }

            @Override
            public Status check() {
                throw new IllegalStateException("boom");
            }
        };
        start(List.of(throwing), Optional.empty());

        HttpResponse<String> r = get("/health/ready");

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(json(r).at("/checks/throws/detail").asText()).contains("boom");
    }

    @Test
    void queueListAndShowReturnTheMessages() throws Exception {
        start(List.of(), Optional.of(queue));

        HttpResponse<String> list = get("/queue");
        HttpResponse<String> show = get("/queue/abc123");
        HttpResponse<String> missing = get("/queue/nope");

        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(json(list).get(0).get("id").asText()).isEqualTo("abc123");
        assertThat(json(list).get(0).get("received").asText()).isEqualTo("2026-01-02T03:04:05Z");
        assertThat(show.statusCode()).isEqualTo(200);
        assertThat(json(show).at("/recipients/0/address").asText()).isEqualTo("bob@example.com");
        assertThat(missing.statusCode()).isEqualTo(404);
    }

    @Test
    void queueActionsReachThePort() throws Exception {
        start(List.of(), Optional.of(queue));

        for (String action : List.of("retry", "hold", "release", "bounce")) {
            HttpResponse<String> r = send("POST", "/queue/abc123/" + action);
            assertThat(r.statusCode()).as(action).isEqualTo(200);
        }
        HttpResponse<String> delete = send("DELETE", "/queue/abc123");
        HttpResponse<String> conflict = send("POST", "/queue/held1/hold");

        assertThat(delete.statusCode()).isEqualTo(200);
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(json(conflict).get("message").asText()).isEqualTo("held1 is already held");
        assertThat(queue.calls).containsExactly("retry abc123", "hold abc123", "release abc123", "bounce abc123",
                "delete abc123", "hold held1");
    }

    @Test
    void badRequestsGetClearAnswers() throws Exception {
        start(List.of(), Optional.of(queue));

        assertThat(send("GET", "/queue/abc123/retry").statusCode()).isEqualTo(405);
        assertThat(send("POST", "/metrics").statusCode()).isEqualTo(405);
        assertThat(send("POST", "/queue/abc123/explode").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/queue/a%2Eb").statusCode()).isEqualTo(400);
        assertThat(send("GET", "/nothing").statusCode()).isEqualTo(404);
        assertThat(queue.calls).isEmpty();
    }

    @Test
    void queueRoutesAnswer503WithoutAQueue() throws Exception {
        start(List.of(), Optional.empty());

        assertThat(get("/queue").statusCode()).isEqualTo(503);
    }

    @Test
    void aFailingPortAnswers500AndTheServerKeepsServing() throws Exception {
        start(List.of(), Optional.of(queue));

        assertThat(send("POST", "/queue/crash/retry").statusCode()).isEqualTo(500);
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    private void start(List<HealthCheck> checks, Optional<QueueAdminPort> q) throws Exception {
        server = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), registry, checks, q,
                Optional.empty());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path);
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json; charset=utf-8");
        return AdminJson.MAPPER.readTree(r.body());
    }

    private static HealthCheck fixed(String name, boolean up) {
        return new HealthCheck() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Status check() {
                return new Status(up, "fixed");
            }
        };
    }
}
