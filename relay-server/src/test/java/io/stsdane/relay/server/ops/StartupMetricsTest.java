package io.stsdane.relay.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.server.e2e.RunningRelay;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus scraped right after start-up, before any mail or lookup: every relay metric a dashboard or alert
 * names already exists, at zero, and says what it counts.
 */
class StartupMetricsTest {

    @TempDir
    Path dir;

    @Test
    void everyRelayMetricExistsAtZeroWithAHelpTextFromStartUp() throws Exception {
        String scrape;
        try (RunningRelay relay = RunningRelay.start(dir, "")) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + relay.adminPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            scrape = r.body();
        }

        assertThat(scrape).contains(
                "relay_dns_lookups_total{security=\"secure\",status=\"noerror\",type=\"TLSA\"} 0.0",
                "relay_dns_lookups_total{security=\"bogus\",status=\"error\",type=\"MX\"} 0.0",
                "relay_delivery_tls_sessions_total{protocol=\"TLSv1.3\"} 0.0",
                "relay_mta_sts_fetches_total{result=\"ok\"} 0.0",
                "relay_mta_sts_fetches_total{result=\"sts-policy-fetch-error\"} 0.0",
                "relay_delivery_attempts_total{outcome=\"delivered\",source=\"dane\"} 0.0",
                "relay_inbound_messages_received_total 0.0",
                "relay_inbound_auth_failures_total 0.0",
                "relay_queue_suspended_domains 0.0",
                "relay_queue_recipients_total{outcome=\"deferred\"} 0.0");
        List<String> emptyHelp = scrape.lines().filter(l -> l.startsWith("# HELP ") && l.split(" ").length < 4)
                .toList();
        assertThat(emptyHelp).as("metrics without a help text").isEmpty();
    }
}
