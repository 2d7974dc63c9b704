package io.stsdane.relay.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.stsdane.relay.server.admin.AdminJson;
import io.stsdane.relay.server.e2e.ExampleDestination;
import io.stsdane.relay.server.e2e.RunningRelay;
import io.stsdane.relay.server.e2e.SmtpSubmission;
import io.stsdane.relay.server.ops.DeferringRelay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code --json} command run as its own process with the relay's real logging, its stdout read the way
 * {@code | jq} reads it: stdout is the JSON and nothing else; logs (warnings only) and notes go to stderr.
 */
class ScriptableOutputTest {

    @TempDir
    Path dir;

    @AutoClose
    private DeferringRelay world;
    private RunningRelay relay;
    private Path config;

    @BeforeEach
    void setUp() throws Exception {
        world = DeferringRelay.start(dir, ExampleDestination::publish);
        relay = world.relay();
        config = world.config();
    }

    @Test
    void theJsonOfEveryJsonCommandParsesFromStdout() throws Exception {
        assertThat(SmtpSubmission.send(relay.smtpPort(), "alice@sender.test", List.of("bob@example.test"),
                "Subject: hi\r\n\r\nhi\r\n")).startsWith("250");
        String id = AdminJson.MAPPER.readTree(new java.net.URL("http://127.0.0.1:" + relay.adminPort() + "/queue"))
                .get(0).path("id").asText();

        JsonNode check = json("check", "--json", "--config", config.toString(), "example.test");
        assertThat(check.path("domain").asText()).isEqualTo("example.test");

        assertThat(json("queue", "list", "--json", "--config", config.toString()).get(0).path("id").asText())
                .isEqualTo(id);
        assertThat(json("queue", "show", id, "--json", "--config", config.toString()).path("sender").asText())
                .isEqualTo("alice@sender.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> json("queue", "summary", "--json", "--config",
                config.toString()).path("domains").size() == 1);
    }

    @Test
    void checkLogsNothingOnStdoutAndOnlyWarningsOnStderr() throws Exception {
        CliProcess.Result r = CliProcess.run(dir, Map.of(), "check", "--config", config.toString(), "example.test");

        assertThat(r.stdout()).startsWith("Domain example.test");
        assertThat(r.stdout()).doesNotContain(" INFO ", " DEBUG ");
        assertThat(r.stderr()).doesNotContain(" INFO ", " DEBUG ");
    }

    private JsonNode json(String... args) throws Exception {
        CliProcess.Result r = CliProcess.run(dir, Map.of(), args);
        assertThat(r.stdout()).as("stdout of relay %s (stderr: %s)", String.join(" ", args), r.stderr())
                .matches("(?s)^[{\\[].*").doesNotContain(" INFO ");
        return AdminJson.MAPPER.readTree(r.stdout());
    }
}
