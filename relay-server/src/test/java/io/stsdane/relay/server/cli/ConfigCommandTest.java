package io.stsdane.relay.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.server.Main;
import io.stsdane.relay.server.StandaloneComponents;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void checkAcceptsAValidConfiguration() throws Exception {
        Path config = Files.writeString(dir.resolve("relay.yaml"), "delivery: {port: 2526}\n");

        assertThat(run(Map.of(), "config", "check", "--config", config.toString())).isZero();
        assertThat(out.toString()).startsWith("configuration OK: " + config);
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void checkRefusesAnInvalidOneNamingTheKey() throws Exception {
        Path config = Files.writeString(dir.resolve("relay.yaml"), "delivery: {smarthots: x}\n");

        assertThat(run(Map.of(), "config", "check", "--config", config.toString())).isEqualTo(1);
        assertThat(err.toString()).startsWith("relay: configuration error: delivery.smarthots: unknown key");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void showPrintsDefaultsFileAndEnvironmentWithSecretsMasked() throws Exception {
        Path config = Files.writeString(dir.resolve("relay.yaml"), "delivery: {port: 2526}\n");
        Map<String, String> env = Map.of(
                "RELAY_SPOOL__POSTGRES__URL", "jdbc:postgresql://db.example/relay?user=r&password=s3cret",
                "RELAY_DELIVERY__CONNECT_TIMEOUT", "7s");

        assertThat(run(env, "config", "show", "--config", config.toString())).isZero();

        assertThat(out.toString()).contains("port: 2526", "connect-timeout: \"7s\"", "max-queue-lifetime: \"5d\"",
                "password=********").doesNotContain("s3cret");
    }

    @Test
    void anEnvironmentVariableThatMatchesNoKeyIsReported() throws Exception {
        assertThat(run(Map.of("RELAY_DELIVERY_PORT", "26", "RELAY_LOG_LEVEL", "DEBUG"), "config", "check")).isZero();

        assertThat(err.toString()).isEqualTo("relay config: warning: environment variable RELAY_DELIVERY_PORT matches"
                + " no configuration key and is ignored (for delivery.port write RELAY_DELIVERY__PORT: levels are"
                + " joined by __)" + System.lineSeparator());
    }

    private int run(Map<String, String> env, String... args) {
        return Main.commandLine(new StandaloneComponents(), env).setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err)).execute(args);
    }
}
