package io.stsdane.relay.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.dns.DnssecMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** YAML 1.1 reads an unquoted {@code off} as {@code false}; the documented spelling must still work. */
class YamlOffSpellingTest {

    @TempDir
    Path dir;

    @Test
    void unquotedOffDisablesDnssec() throws Exception {
        Path file = Files.writeString(dir.resolve("relay.yaml"), "dns:\n  dnssec: off\n");

        RelayConfig config = ConfigLoader.load(Optional.of(file), Map.of()).config();

        assertThat(config.dns().dnssec()).isEqualTo(DnssecMode.OFF);
    }
}
