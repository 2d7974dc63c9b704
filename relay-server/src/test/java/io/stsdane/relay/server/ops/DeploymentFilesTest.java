package io.stsdane.relay.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.stsdane.relay.server.config.ConfigLoader;
import io.stsdane.relay.server.config.Units;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The deployment files as Docker Compose and systemd read them. */
class DeploymentFilesTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void composeFileHasHealthchecksOrderedStartAndAGracePeriodLongerThanTheDrain() throws Exception {
        JsonNode compose = new YAMLMapper().readTree(ROOT.resolve("docker-compose.yml").toFile());

        assertThat(compose.has("version")).as("obsolete top-level version:").isFalse();
        JsonNode relay = compose.at("/services/relay");
        assertThat(relay.at("/healthcheck/test").toString()).contains("/health/ready", "8025");
        assertThat(compose.at("/services/unbound/healthcheck/test").isArray()).isTrue();
        assertThat(relay.at("/depends_on/unbound/condition").asText()).isEqualTo("service_healthy");
        Duration grace = Units.parseDuration(relay.at("/stop_grace_period").asText());
        Duration drain = ConfigLoader.defaults().server().drainTimeout();
        assertThat(grace).isGreaterThan(drain.plusSeconds(10));
    }

    @Test
    void systemdUnitIsHardenedReloadsWithSighupAndPointsAtInstalledDocs() throws Exception {
        List<String> unit = Files.readAllLines(ROOT.resolve("config/relay.service"));

        assertThat(unit).contains("UMask=0027", "CapabilityBoundingSet=", "SystemCallFilter=@system-service",
                "RestrictNamespaces=yes", "ProtectClock=yes", "ExecReload=/bin/kill -HUP $MAINPID");
        String doc = unit.stream().filter(l -> l.startsWith("Documentation=file:/opt/relay/")).findFirst()
                .orElseThrow().substring("Documentation=file:/opt/relay/".length());
        assertThat(ROOT.resolve(doc)).exists();
        String install = Files.readString(ROOT.resolve("docs/operations.md"));
        assertThat(install).contains("install -m 0644 docs/*.md /opt/relay/docs/");
        assertThat(install.indexOf("Now edit `/etc/relay/relay.yaml`"))
                .isPositive().isLessThan(install.indexOf("enable --now relay"));
    }
}
