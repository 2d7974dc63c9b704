package io.stsdane.relay.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stsdane.relay.server.ConfigReloader;
import io.stsdane.relay.server.RelayApplication;
import io.stsdane.relay.server.config.ConfigLoader;
import io.stsdane.relay.server.crash.RelayProcess;
import io.stsdane.relay.server.e2e.ExampleDestination;
import io.stsdane.relay.server.e2e.RunningRelay;
import io.stsdane.relay.server.e2e.SenderKeys;
import io.stsdane.relay.server.e2e.SmtpSubmission;
import io.stsdane.relay.server.wiring.ModuleComponents;
import io.stsdane.relay.testkit.dkim.DkimVerifier;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP reloads what can change without a restart, and an invalid configuration changes nothing: through the
 * reload itself against a whole relay, and with a real signal to a relay in its own JVM.
 */
class ConfigReloadTest {

    @TempDir
    Path dir;

    @Test
    void aReloadPutsNewAllowedNetworksInForceAndAnInvalidOneChangesNothing() throws Exception {
        int smtp = RunningRelay.freePort();
        Path file = dir.resolve("relay.yaml");
        String base = RunningRelay.baseYaml(smtp, dir.resolve("spool"), RunningRelay.freePort());
        Files.writeString(file, base);
        try (RelayApplication relay = RelayApplication.start(file, new ModuleComponents())) {
            ConfigReloader reloader = relay.reloader(() -> ConfigLoader.load(Optional.of(file), Map.of()));
            assertThat(submit(smtp)).startsWith("250");

            Files.writeString(file, base.replace("  hostname: relay.test\n",
                    "  hostname: relay.test\n  allowed-networks: [10.0.0.0/8]\n"));
            assertThat(reloader.reload()).isTrue();
            assertThat(submit(smtp)).startsWith("554");

            Files.writeString(file, base + "policies: {example.net: bogus-level}\n");
            assertThat(reloader.reload()).isFalse();
            Files.writeString(file, base.replace("  hostname: relay.test\n",
                    "  hostname: relay.test\n  auth: {users-file: " + dir.resolve("missing") + "}\n"));
            assertThat(reloader.reload()).isFalse();
            assertThat(submit(smtp)).as("the networks of the last valid configuration stay").startsWith("554");

            Files.writeString(file, base);
            assertThat(reloader.reload()).isTrue();
            assertThat(submit(smtp)).startsWith("250");
        }
    }

    @Test
    void aReloadSignsWithTheNewDkimKeyOfARotation() throws Exception {
        try (TestSmtpServer mx = TestSmtpServer.start(SmtpBehavior.plain());
                DnsTestServer dns = ExampleDestination.dns()) {
            int smtp = RunningRelay.freePort();
            Path file = dir.resolve("relay.yaml");
            SenderKeys keys = SenderKeys.create(dir);
            String base = RunningRelay.baseYaml(smtp, dir.resolve("spool"), RunningRelay.freePort())
                    + RunningRelay.signedDnsDeliveryYaml(dns, dir, mx.port());
            Files.writeString(file, base + keys.yaml());
            try (RelayApplication relay = RelayApplication.start(file, new ModuleComponents())) {
                ConfigReloader reloader = relay.reloader(() -> ConfigLoader.load(Optional.of(file), Map.of()));
                // Rotation: the Ed25519 key's selector is retired, the RSA key stays.
                Files.writeString(file, base + keys.yaml().replaceAll("(?m)^.*name: ed1.*\\R", ""));
                assertThat(reloader.reload()).isTrue();

                assertThat(SmtpSubmission.send(smtp, "app@" + SenderKeys.DOMAIN, List.of("bob@example.test"),
                        "From: app@" + SenderKeys.DOMAIN + "\r\nTo: bob@example.test\r\nSubject: rotated\r\n\r\n"
                                + "body\r\n")).startsWith("250");
                assertThat(mx.awaitTransactions(1, Duration.ofSeconds(30))).isTrue();
                List<DkimVerifier.Result> results = keys.verifier().verify(mx.transactions().get(0).data());
                assertThat(results).extracting(DkimVerifier.Result::selector).containsExactly("rsa1");
                assertThat(results).allSatisfy(r -> assertThat(r.failure()).isEmpty());
            }
        }
    }

    @Test
    void sighupReloadsARunningRelayInsteadOfStoppingIt() throws Exception {
        int smtp = RunningRelay.freePort();
        Path file = dir.resolve("relay.yaml");
        String base = RunningRelay.baseYaml(smtp, dir.resolve("spool"), RunningRelay.freePort());
        Files.writeString(file, base);
        RelayProcess relay = RelayProcess.start(file, smtp, dir.resolve("relay.log"));
        try {
            Files.writeString(file, base + "policies: {example.net: verify}\n");
            hup(relay);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(relay.log()).contains("Configuration reloaded"));
            assertThat(relay.log()).contains("policies (1 override(s))").doesNotContain("SIGHUP was ignored");

            Files.writeString(file, base + "policies: {example.net: bogus-level}\n");
            hup(relay);
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(relay.log()).contains("Reload refused"));
            assertThat(relay.isAlive()).isTrue();
            assertThat(submit(smtp)).startsWith("250");
        } finally {
            relay.destroy();
        }
    }

    /** nohup makes SIGHUP ignored, and a JVM keeps it so: the relay cannot reload by signal and says so. */
    @Test
    void aRelayStartedUnderNohupSaysThatSighupWillNotReload() throws Exception {
        int smtp = RunningRelay.freePort();
        Path file = dir.resolve("relay.yaml");
        Files.writeString(file, RunningRelay.baseYaml(smtp, dir.resolve("spool"), RunningRelay.freePort()));
        RelayProcess relay = RelayProcess.start(List.of("nohup"), file, smtp, dir.resolve("relay.log"));
        try {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(relay.log())
                    .contains("SIGHUP was ignored when the relay started (nohup?) and stays ignored"));
            hup(relay);
            assertThat(submit(smtp)).startsWith("250");
            assertThat(relay.isAlive()).isTrue();
        } finally {
            relay.destroy();
        }
    }

    private static void hup(RelayProcess relay) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", String.valueOf(relay.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private static String submit(int port) throws Exception {
        return SmtpSubmission.send(port, "alice@example.org", List.of("bob@example.net"),
                "Subject: reload\r\n\r\nreload\r\n");
    }
}
