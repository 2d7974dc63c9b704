package io.stsdane.relay.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.stsdane.relay.server.admin.AdminJson;
import io.stsdane.relay.server.e2e.ExampleDestination;
import io.stsdane.relay.server.e2e.RunningRelay;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import io.stsdane.relay.testkit.sts.StsPolicyServer;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The whole relay relays one message under an MTA-STS enforce policy over STARTTLS; then its admin API is read
 * over HTTP the way Prometheus and a load balancer read it, and its delivery log the way config/logback-jsonl.xml
 * writes it.
 */
class MetricsAndHealthTest {

    private static final TestCertificate WEB_ROOT = TestCertificate.builder().commonName("Test Web PKI").ca().build();

    @TempDir
    Path dir;

    private DnsTestServer dns;
    private TestSmtpServer mx;
    private StsPolicyServer policyHost;
    private RunningRelay relay;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        mx = TestSmtpServer.start(SmtpBehavior.builder().startTls(TestCertificate.builder()
                .dnsNames("mx.example.test").issuedBy(WEB_ROOT).build().serverContext()).build());
        policyHost = StsPolicyServer.start(TestCertificate.builder().dnsNames("mta-sts.example.test")
                .issuedBy(WEB_ROOT).build());
        policyHost.serve("example.test", StsPolicyServer.policy("enforce", "mx.example.test"));
        dns = DnsTestServer.start();
        ExampleDestination.publish(dns.root())
                .a("mta-sts.example.test", "127.0.0.1")
                .txt("_mta-sts.example.test", "v=STSv1; id=1");
        relay = RunningRelay.start(dir, FixtureConfig.yaml(dir, dns, mx.port(), "  retry-schedule: [1s]\n",
                policyHost.port(), WEB_ROOT));
    }

    @AfterEach
    void tearDown() {
        if (relay != null) {
            relay.close();
        }
        policyHost.close();
        mx.close();
        dns.close();
    }

    @Test
    void metricsShowTheRelayedMessageEndToEnd() throws Exception {
        GreenMailUtil.sendTextEmail("alice@example.test", "app@sender.test", "metrics", "hello",
                new ServerSetup(relay.smtpPort(), "127.0.0.1", "smtp"));
        assertThat(mx.awaitTransactions(1, Duration.ofSeconds(30))).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> relay.queuedMessages() == 0);

        String metrics = await().atMost(Duration.ofSeconds(10)).until(() -> get("/metrics").body(),
                m -> value(m, "relay_queue_recipients_total", "outcome=\"delivered\"") == 1.0);

        assertThat(value(metrics, "relay_inbound_messages_received_total", "")).isEqualTo(1.0);
        assertThat(value(metrics, "relay_queue_received_total", "")).isEqualTo(1.0);
        assertThat(value(metrics, "relay_queue_recipients_total", "outcome=\"deferred\"")).isZero();
        assertThat(value(metrics, "relay_queue_recipients_total", "outcome=\"bounced\"")).isZero();
        assertThat(value(metrics, "relay_delivery_attempts_total", "outcome=\"delivered\",source=\"mta-sts\""))
                .isEqualTo(1.0);
        assertThat(value(metrics, "relay_delivery_tls_sessions_total", "protocol=\"TLSv1.3\"")).isEqualTo(1.0);
        assertThat(value(metrics, "relay_queue_size", "")).isZero();
        assertThat(metrics).containsPattern("(?m)^relay_queue_oldest_age_seconds ");
        assertThat(value(metrics, "relay_dns_lookups_total", "security=\"secure\",status=\"noerror\",type=\"MX\""))
                .isEqualTo(1.0);
        assertThat(value(metrics, "relay_dns_lookups_total", "security=\"secure\",status=\"noerror\",type=\"TXT\""))
                .isGreaterThanOrEqualTo(1.0);
        assertThat(value(metrics, "relay_mta_sts_fetches_total", "result=\"ok\"")).isEqualTo(1.0);
        assertThat(value(metrics, "relay_inbound_sessions_open", "")).isZero();
        assertThat(value(metrics, "relay_delivery_latency_seconds_count", "outcome=\"delivered\"")).isEqualTo(1.0);
        assertThat(metrics).containsPattern("(?m)^relay_delivery_latency_seconds_bucket\\{.*le=\"\\+Inf\".*} 1");
        assertThat(dashboardMetrics()).allSatisfy(name -> assertThat(metrics).as("dashboard metric " + name)
                .containsPattern("(?m)^" + name + "[{ ]"));
    }

    /** The relay metrics docs/grafana-dashboard.json queries, except counters that appear only once counted. */
    private static Set<String> dashboardMetrics() throws Exception {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("relay_[a-z_]+").matcher(Files.readString(Path.of("../docs/grafana-dashboard.json")));
        while (m.find()) {
            names.add(m.group());
        }
        names.remove("relay_inbound_messages_rejected_total");
        assertThat(names).contains("relay_delivery_attempts_total", "relay_dns_lookups_total");
        return names;
    }

    @Test
    void livenessAndReadinessAnswerAgainstTheFixture() throws Exception {
        HttpResponse<String> live = get("/health");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(AdminJson.MAPPER.readTree(live.body()).get("status").asText()).isEqualTo("UP");

        HttpResponse<String> ready = get("/health/ready");

        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        JsonNode checks = AdminJson.MAPPER.readTree(ready.body());
        assertThat(checks.toString()).contains("MX .: NODATA SECURE");
    }

    @Test
    void theJsonLinesConfigurationWritesOneJsonObjectPerDeliveryAttempt() throws Exception {
        Path log = dir.resolve("delivery.jsonl");
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        System.setProperty("RELAY_DELIVERY_LOG_FILE", log.toString());
        try {
            configure(logging, Path.of("../config/logback-jsonl.xml").toUri().toURL());
            GreenMailUtil.sendTextEmail("alice@example.test", "app@sender.test", "log", "hello",
                    new ServerSetup(relay.smtpPort(), "127.0.0.1", "smtp"));
            assertThat(mx.awaitTransactions(1, Duration.ofSeconds(30))).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log) && !Files.readString(log).isEmpty());
        } finally {
            System.clearProperty("RELAY_DELIVERY_LOG_FILE");
            configure(logging, getClass().getResource("/logback-test.xml"));
        }

        List<String> lines = Files.readAllLines(log);
        assertThat(lines).hasSize(1);
        JsonNode line = AdminJson.MAPPER.readTree(lines.get(0));
        assertThat(line.get("queue").asText()).isNotBlank();
        assertThat(line.get("domain").asText()).isEqualTo("example.test");
        assertThat(line.get("mx").asText()).isEqualTo("mx.example.test");
        assertThat(line.get("ip").asText()).isEqualTo("127.0.0.1");
        assertThat(line.get("policy_source").asText()).isEqualTo("mta-sts");
        assertThat(line.get("policy_level").asText()).isEqualTo("verify");
        assertThat(line.get("plaintext_retry").asBoolean()).isFalse();
        assertThat(line.get("tls_protocol").asText()).isEqualTo("TLSv1.3");
        assertThat(line.get("tls_cipher").asText()).startsWith("TLS_");
        assertThat(line.get("verified").asBoolean()).isTrue();
        assertThat(line.get("verification").asText()).isNotBlank();
        assertThat(line.get("outcome").asText()).startsWith("delivered");
        assertThat(line.get("reply").asText()).startsWith("250");
        assertThat(line.get("duration_ms").isIntegralNumber()).isTrue();
        assertThat(line.get("time").asText()).isNotBlank();
    }

    private static void configure(LoggerContext context, URL config) throws Exception {
        context.reset();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(context);
        joran.doConfigure(config);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the sample {@code name{labels}}, where labels is Prometheus's sorted label text; NaN if absent. */
    private static double value(String scrape, String name, String labels) {
        String series = labels.isEmpty() ? Pattern.quote(name) + "(\\{[^}]*})?"
                : Pattern.quote(name) + "\\{[^}]*" + Pattern.quote(labels) + "[^}]*}";
        Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(m.groupCount())) : Double.NaN;
    }
}
