package io.stsdane.relay.server.cluster;

import io.stsdane.relay.testkit.postgres.TestDatabase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.stsdane.relay.server.Main;
import io.stsdane.relay.server.StandaloneComponents;
import io.stsdane.relay.server.admin.AdminJson;
import io.stsdane.relay.server.e2e.ExampleDestination;
import io.stsdane.relay.server.e2e.RunningRelay;
import io.stsdane.relay.server.e2e.SmtpSubmission;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * An unreadable row in the PostgreSQL queue is shown to the operator as quarantined, with its reason, through the
 * admin API and {@code relay queue list}, on a whole relay wired as {@code relay run} wires it.
 */
class QuarantineAdminTest {

    @RegisterExtension
    final TestDatabase db = new TestDatabase();
    @TempDir
    Path dir;

    private final DnsTestServer dns = DnsTestServer.start();
    private RunningRelay relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
        dns.close();
    }

    @Test
    void anUnreadableMessageIsListedAsQuarantinedWithItsReason() throws Exception {
        // The MX refuses connections: the message stays queued, deferred.
        int deadMx = RunningRelay.freePort();
        ExampleDestination.publish(dns.root());
        relay = RunningRelay.start(dir, "",
                NodeDatabase.of(db).spoolYaml(dir, Duration.ofMinutes(2), Duration.ofSeconds(5)),
                RunningRelay.signedDnsDeliveryYaml(dns, dir, deadMx));
        assertThat(SmtpSubmission.send(relay.smtpPort(), "app@sender.test", List.of("rcpt@example.test"),
                "Subject: q\r\n\r\nbody\r\n")).startsWith("250");
        await().atMost(Duration.ofSeconds(30)).until(() -> db.count("SELECT count(*) FROM queue_message") == 1);
        String id = db.string("SELECT id FROM queue_message");

        db.execute("UPDATE queue_message SET envelope = '{\"unexpected\": true}'::jsonb");

        JsonNode listed = AdminJson.MAPPER.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + relay.adminPort() + "/queue")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(listed).singleElement().satisfies(m -> {
            assertThat(m.path("id").asText()).isEqualTo(id);
            assertThat(m.path("quarantine").path("reason").asText()).isNotBlank();
            assertThat(m.path("quarantine").path("since").asText()).isNotBlank();
        });

        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine(new StandaloneComponents(), Map.of());
        cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(new StringWriter(), true));
        assertThat(cli.execute("queue", "list", "--admin", "127.0.0.1:" + relay.adminPort())).isZero();
        assertThat(out.toString()).contains(id).contains("quarantined");
    }
}
