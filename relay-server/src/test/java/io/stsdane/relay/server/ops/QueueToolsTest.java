package io.stsdane.relay.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.stsdane.relay.server.Main;
import io.stsdane.relay.server.admin.AdminJson;
import io.stsdane.relay.server.e2e.RunningRelay;
import io.stsdane.relay.server.e2e.SmtpSubmission;
import io.stsdane.relay.server.wiring.ModuleComponents;
import io.stsdane.relay.testkit.dns.TestZone;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's queue tools against a whole relay whose destinations refuse connections, so its mail stays
 * deferred: "what is stuck, why, and make it go now", each through {@code relay queue ...} as typed, the relay
 * found through {@code admin.listen} of {@code --config}.
 */
class QueueToolsTest {

    @TempDir
    Path dir;

    @AutoClose
    private DeferringRelay world;
    private TestZone tld;
    private RunningRelay relay;
    private Path config;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws Exception {
        world = DeferringRelay.start(dir, root -> {
            TestZone test = root.child("test");
            tld = test;
            test.child("example.test").mx("example.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.1");
            test.child("other.test").mx("other.test", 10, "mx.other.test").a("mx.other.test", "127.0.0.1");
        });
        relay = world.relay();
        config = world.config();
    }

    @Test
    void anOperatorSeesWhatIsStuckAndWhyAndActsOnIt() throws Exception {
        submit("alice@sender.test", "a@example.test", "first");
        submit("alice@sender.test", "b@example.test", "second");
        submit("carol@elsewhere.test", "c@other.test", "third");
        await().atMost(Duration.ofSeconds(60)).until(() -> attempted() == 3);

        assertThat(queue("list")).isZero();
        assertThat(err.toString()).isEqualTo("relay queue: admin API http://127.0.0.1:" + relay.adminPort()
                + "/ (admin.listen of " + config + ")" + System.lineSeparator());
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(0)).startsWith("ID").contains("STATE", "AGE", "NEXT", "REASON");
        assertThat(lines).hasSize(5).last().isEqualTo("3 message(s)");
        assertThat(lines.subList(1, 4)).allSatisfy(l -> assertThat(l).contains("deferred", " in ", "4.")
                .doesNotContainPattern("\\d\\.\\d{4,}"));
        // Aligned: the STATE column starts at the same place on every line.
        assertThat(lines.subList(0, 4)).extracting(l -> l.indexOf(l.contains("STATE") ? "STATE" : "deferred"))
                .containsOnly(lines.get(0).indexOf("STATE"));

        assertThat(queue("list", "--domain", "other.test")).isZero();
        assertThat(out.toString()).contains("c@other.test").doesNotContain("a@example.test").contains("1 message(s)");
        assertThat(queue("list", "--sender", "@sender.test", "--state", "deferred")).isZero();
        assertThat(out.toString()).contains("2 message(s)");
        assertThat(queue("list", "--state", "held")).isZero();
        assertThat(out.toString()).contains("0 message(s)");

        String id = messageTo("c@other.test");
        assertThat(queue("show", id)).isZero();
        assertThat(out.toString()).contains("Message " + id + " (deferred)", "Sender:       <carol@elsewhere.test>",
                "c@other.test", "Attempts (most recent last):", "deferred");
        assertThat(queue("show", id, "--content")).isZero();
        assertThat(out.toString()).contains("Subject: third", "\nthird");

        assertThat(queue("summary")).isZero();
        assertThat(out.toString()).contains("example.test", "other.test", "Pending recipients by last deferral reason");

        assertThat(queue("hold", "--domain", "example.test", "--dry-run")).isZero();
        assertThat(out.toString()).contains("hold: 2 message(s) would be concerned (dry run, nothing changed)");
        assertThat(queue("list", "--state", "held")).isZero();
        assertThat(out.toString()).contains("0 message(s)");
        assertThat(queue("hold", "--domain", "example.test")).isZero();
        assertThat(out.toString()).contains("hold: 2 message(s)");
        assertThat(queue("list", "--state", "held")).isZero();
        assertThat(out.toString()).contains("2 message(s)");
        assertThat(queue("release", "--all")).isZero();
        assertThat(out.toString()).contains("release: 3 message(s)");

        assertThat(queue("suspend", "other.test")).isZero();
        assertThat(out.toString()).contains("delivery to other.test suspended until resumed");
        assertThat(queue("list")).isZero();
        assertThat(out.toString()).contains("suspended until resumed", "Suspended: other.test until resumed");
        assertThat(metrics()).contains("relay_queue_suspended_domains 1.0");
        assertThat(queue("resume", "other.test")).isZero();
        assertThat(queue("list")).isZero();
        assertThat(out.toString()).doesNotContain("Suspended:");

        assertThat(queue("flush", "--ignore-backoff")).isZero();
        assertThat(out.toString()).contains("3 message(s) due now; every destination's backoff cleared");

        assertThat(queue("delete", "--all")).isZero();
        assertThat(out.toString()).contains("delete: 3 message(s)");
        assertThat(queue("list")).isZero();
        assertThat(out.toString()).contains("0 message(s)");
    }

    @Test
    void showPrintsThePolicyAndTheTlsOfAnAttemptThatFailedDane() throws Exception {
        String host = "mx.dane-mismatch.test";
        TestCertificate served = TestCertificate.builder().dnsNames(host).build();
        TestCertificate published = TestCertificate.builder().dnsNames(host).build();
        tld.child("dane-mismatch.test").mx("dane-mismatch.test", 10, host).a(host, "127.0.0.3")
                .tlsa("_" + world.refusedPort() + "._tcp." + host, published.tlsaDaneEe());
        try (TestSmtpServer mx = TestSmtpServer.start(InetAddress.getByName("127.0.0.3"), world.refusedPort(),
                SmtpBehavior.builder().startTls(served.serverContext()).build())) {
            submit("alice@sender.test", "d@dane-mismatch.test", "dane");
            await().atMost(Duration.ofSeconds(60)).until(() -> attempted() == 1);
            String id = messageTo("d@dane-mismatch.test");

            assertThat(queue("show", id)).isZero();
            List<String> lines = out.toString().lines().toList();
            String header = lines.stream().filter(l -> l.startsWith("TIME")).findFirst().orElseThrow();
            assertThat(header).contains("MX HOST", "POLICY", "TLS", "REPLY");
            assertThat(lines.get(lines.size() - 1)).contains("deferred", "4.7.5", "dane/dane", "TLSv1.3 TLS_",
                    "not verified", host);

            assertThat(queue("show", id, "--json")).isZero();
            JsonNode attempt = AdminJson.MAPPER.readTree(out.toString()).at("/recipients/0/history/0");
            assertThat(attempt.path("policy").asText()).isEqualTo("dane/dane");
            assertThat(attempt.path("tlsProtocol").asText()).isEqualTo("TLSv1.3");
            assertThat(attempt.path("tlsCipher").asText()).startsWith("TLS_");
            assertThat(attempt.path("verified").isBoolean()).isTrue();
            assertThat(attempt.path("verified").asBoolean()).isFalse();
            assertThat(attempt.path("verification").asText()).isNotBlank();
            assertThat(mx.received("MAIL")).isFalse();
        }
    }

    @Test
    void bulkActionsWantToBeToldWhichMessages() throws Exception {
        assertThat(queue("delete")).isEqualTo(2);
        assertThat(err.toString()).contains("which messages?");
        assertThat(queue("list", "--state", "stuck")).isEqualTo(1);
        assertThat(err.toString()).contains("state must be one of active, deferred, held, quarantined");
    }

    private int queue(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        List<String> all = new ArrayList<>(List.of("queue"));
        all.addAll(List.of(args));
        all.addAll(List.of("--config", config.toString()));
        return Main.commandLine(new ModuleComponents(), Map.of()).setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err)).execute(all.toArray(String[]::new));
    }

    private void submit(String from, String to, String subject) throws Exception {
        assertThat(SmtpSubmission.send(relay.smtpPort(), from, List.of(to),
                "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject + "\r\n\r\n" + subject + "\r\n"))
                .startsWith("250");
    }

    /** Messages in the queue whose recipients were all tried once. */
    private long attempted() throws Exception {
        JsonNode list = AdminJson.MAPPER.readTree(get("/queue"));
        long n = 0;
        for (JsonNode m : list) {
            if (m.path("recipients").get(0).path("attempts").asInt() > 0) {
                n++;
            }
        }
        return n;
    }

    private String messageTo(String rcpt) throws Exception {
        for (JsonNode m : AdminJson.MAPPER.readTree(get("/queue"))) {
            if (m.path("recipients").get(0).path("address").asText().equals(rcpt)) {
                return m.path("id").asText();
            }
        }
        throw new AssertionError("no message to " + rcpt);
    }

    private String metrics() throws Exception {
        return get("/metrics");
    }

    private String get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + relay.adminPort() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
