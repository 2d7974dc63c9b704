package io.stsdane.relay.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.queue.MessageQueue;
import io.stsdane.relay.server.FakeQueueAdmin;
import io.stsdane.relay.server.Main;
import io.stsdane.relay.server.StandaloneComponents;
import io.stsdane.relay.server.admin.AdminJson;
import io.stsdane.relay.server.admin.AdminServer;
import io.stsdane.relay.server.config.AdminToken;
import io.stsdane.relay.server.wiring.ModuleComponents;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {

    private final InMemoryDnsResolver dns = new InMemoryDnsResolver()
            .mx("example.com", DnsSecurity.SECURE, new MxRecord(20, "mx2.example.com"), new MxRecord(10, "mx1.example.com"))
            .mx("implicit.example", DnsSecurity.INSECURE)
            .mx("null.example", DnsSecurity.SECURE, new MxRecord(0, ""))
            .mx("bogus.example", DnsResult.error("bogus.example", DnsSecurity.BOGUS, "RRSIG expired"));
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    @Test
    void versionAndHelpExitZero() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("sts-dane-relay ");

        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("run", "check", "queue", "Exit codes");
    }

    @Test
    void everyCommandAcceptsHelp() {
        List<List<String>> paths = new java.util.ArrayList<>();
        commands(Main.commandLine(new StandaloneComponents(o -> dns), Map.of()), List.of(), paths);
        assertThat(paths).contains(List.of("queue", "list"), List.of("queue", "suspend"), List.of("check"));
        for (List<String> path : paths) {
            List<String> args = new java.util.ArrayList<>(path);
            args.add("--help");
            assertThat(run(args.toArray(String[]::new))).as(String.join(" ", args) + ": " + err).isZero();
            assertThat(out.toString()).as(String.join(" ", args)).startsWith("Usage: relay " + String.join(" ", path));
        }
    }

    private static void commands(CommandLine cl, List<String> path, List<List<String>> into) {
        cl.getSubcommands().forEach((name, sub) -> {
            List<String> p = new java.util.ArrayList<>(path);
            p.add(name);
            into.add(p);
            commands(sub, p, into);
        });
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("missing command");
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(run("check")).isEqualTo(2);
        assertThat(run("check", "-bad-.example")).isEqualTo(2);
        assertThat(run("queue", "show")).isEqualTo(2);
        assertThat(run("queue", "show", "../etc")).as(err.toString()).isEqualTo(2);
        assertThat(run("queue", "list", "--admin", "nohost")).isEqualTo(2);
    }

    @Test
    void checkPrintsTheMxHostsInPreferenceOrder() {
        // The fake resolver knows no addresses (NXDOMAIN): no MX host exists, so the mail would bounce (exit 1).
        assertThat(run("check", "Example.COM")).isEqualTo(1);

        assertThat(out.toString()).startsWith(String.join(System.lineSeparator(),
                "Domain example.com", "MX: NOERROR, DNSSEC secure", "     10 mx1.example.com", "     20 mx2.example.com",
                ""));
        assertThat(out.toString()).containsSubsequence("MX host mx1.example.com (preference 10)",
                "MX host mx2.example.com (preference 20)", "NOT SECURE: no MX host can be used: mail to it bounces");
    }

    @Test
    void checkJsonIsMachineReadable() throws Exception {
        assertThat(run("check", "--json", "example.com")).isEqualTo(1);

        JsonNode j = AdminJson.MAPPER.readTree(out.toString());
        assertThat(j.get("domain").asText()).isEqualTo("example.com");
        assertThat(j.at("/mx/security").asText()).isEqualTo("SECURE");
        assertThat(j.at("/mx/records/0/host").asText()).isEqualTo("mx1.example.com");
        assertThat(j.at("/hosts/1/host").asText()).isEqualTo("mx2.example.com");
        assertThat(j.get("secure").asBoolean()).isFalse();
    }

    @Test
    void checkExplainsImplicitMx() {
        assertThat(run("check", "implicit.example")).isEqualTo(1);
        assertThat(out.toString()).contains("MX host implicit.example (implicit MX)");
    }

    @Test
    void checkFailsForUndeliverableDomains() {
        assertThat(run("check", "null.example")).isEqualTo(1);
        assertThat(out.toString()).contains("null MX (RFC 7505)");
        assertThat(run("check", "bogus.example")).isEqualTo(1);
        assertThat(out.toString()).contains("DNSSEC BOGUS MX answer: delivery would be deferred (RRSIG expired)");
        assertThat(run("check", "nowhere.example")).isEqualTo(1);
        assertThat(out.toString()).contains("nowhere.example does not exist");
    }

    @Test
    void checkUsesTheConfiguredDnsSettings() throws IOException {
        List<Object> seen = new java.util.ArrayList<>();
        StandaloneComponents recording = new StandaloneComponents(o -> {
            seen.add(o.servers());
            return dns;
        });
        Path config = Files.writeString(dir.resolve("relay.yaml"), "dns: {servers: ['127.0.0.1:5353']}\n");

        int code = Main.commandLine(recording, Map.of()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("check", "--config", config.toString(), "example.com");

        assertThat(code).as(err.toString()).isEqualTo(1);
        assertThat(seen).containsExactly(List.of(new InetSocketAddress("127.0.0.1", 5353)));
    }

    @Test
    void badConfigurationExitsOneNamingTheKey() throws IOException {
        Path config = Files.writeString(dir.resolve("relay.yaml"), "delivery: {smarthots: x}\n");

        assertThat(run("run", "--config", config.toString())).isEqualTo(1);
        assertThat(err.toString()).startsWith("relay: configuration error: delivery.smarthots: unknown key");
    }

    @Test
    void runFailsClearlyWhenTheAdminPortIsTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path config = Files.writeString(dir.resolve("relay.yaml"), "admin: {listen: '127.0.0.1:"
                    + taken.getLocalPort() + "'}\nspool: {dir: '" + dir.resolve("spool") + "'}\n");

            assertThat(run("run", "--config", config.toString())).isEqualTo(1);
        }
        assertThat(err.toString()).startsWith("relay: cannot start: admin.listen 127.0.0.1:");
    }

    @Test
    void runFailsClearlyNamingTheKeyWhenAFileItNamesIsNotWhatTheKeySays() throws IOException {
        Path notAKey = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n"
                + "-----END PRIVATE KEY-----\n");
        Path config = Files.writeString(dir.resolve("relay.yaml"), "server: {tls: {cert: '" + notAKey + "', key: '"
                + notAKey + "'}}\nspool: {dir: '" + dir.resolve("spool") + "'}\n");
        // The real wiring: the listener's parts (and their errors) are built by the modules.
        CommandLine cl = Main.commandLine(new ModuleComponents(), Map.of());
        cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));

        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> cl.execute("run", "--config", config.toString()))).isEqualTo(1);
        assertThat(err.toString()).startsWith("relay: cannot start: server.tls.")
                .doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void runFailsClearlyWhenAnotherRelayHasTheSpool() throws IOException {
        Path spool = dir.resolve("spool");
        Path config = Files.writeString(dir.resolve("relay.yaml"), "spool: {dir: '" + spool + "'}\n");
        // The spool open in this process stands for another relay holding it.
        try (MessageQueue holder = MessageQueue.builder().directory(spool).hostname("holder.test").minFreeDisk(0)
                .deliveryAgent(request -> new CompletableFuture<>()).build()) {
            // The real wiring (the fake components of the other tests open no spool); a relay that started
            // anyway would run until stopped, hence the guard.
            CommandLine cl = Main.commandLine(new ModuleComponents(), Map.of());
            cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> cl.execute("run", "--config", config.toString()))).isEqualTo(1);
        }
        assertThat(err.toString()).startsWith("relay: cannot start: cannot open spool " + spool)
                .contains("is in use by another relay process").doesNotContain("Exception");
    }

    @Test
    void queueCommandsTalkToTheAdminApi() throws Exception {
        FakeQueueAdmin queue = new FakeQueueAdmin();
        try (AdminServer admin = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), List.of(), Optional.of(queue), Optional.empty())) {
            String address = "127.0.0.1:" + admin.address().getPort();

            assertThat(run("queue", "list", "--admin", address)).isZero();
            assertThat(err.toString()).isEqualTo("relay queue: admin API http://" + address + "/ (--admin)"
                    + System.lineSeparator());
            assertThat(out.toString()).contains("abc123", "deferred", "<alice@example.org>", "bob@example.com",
                    "4.7.5 no TLSA match", "1 message(s)");

            assertThat(run("queue", "show", "abc123", "--admin", address, "--json")).isZero();
            assertThat(AdminJson.MAPPER.readTree(out.toString()).at("/recipients/0/lastResult").asText())
                    .isEqualTo("451 4.7.5 no TLSA match");
            assertThat(run("queue", "show", "abc123", "--admin", address)).isZero();
            assertThat(out.toString()).contains("Message abc123 (deferred)", "Sender:       <alice@example.org>",
                    "Received:     2026-01-02 03:04:05Z", "bob@example.com", "mx.example.com",
                    "No delivery attempt yet.");

            assertThat(run("queue", "--admin", address, "retry", "abc123")).isZero();
            assertThat(out.toString().strip()).isEqualTo("retry abc123");
            assertThat(run("queue", "delete", "abc123", "--admin", address)).isZero();

            assertThat(run("queue", "hold", "held1", "--admin", address)).isEqualTo(1);
            assertThat(err.toString().strip()).endsWith("relay queue: held1 is already held (HTTP 409)");
            assertThat(run("queue", "show", "gone", "--admin", address)).isEqualTo(1);
            assertThat(err.toString()).contains("no message gone in the queue (HTTP 404)");
        }
        assertThat(queue.calls).containsExactly("retry abc123", "delete abc123", "hold held1");
    }

    @Test
    void queueCommandsSendTheConfiguredAdminToken() throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("admin.token"), "0123456789abcdef0123456789abcdef\n");
        FakeQueueAdmin queue = new FakeQueueAdmin();
        try (AdminServer admin = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), List.of(), Optional.of(queue),
                Optional.of(AdminToken.read(tokenFile)))) {
            String address = "127.0.0.1:" + admin.address().getPort();
            Path config = Files.writeString(dir.resolve("relay.yaml"),
                    "admin: {listen: '" + address + "', token-file: " + tokenFile + "}\n");

            assertThat(run("queue", "hold", "abc123", "--admin", address)).isEqualTo(1);
            assertThat(err.toString()).contains("HTTP 401");
            assertThat(run("queue", "--config", config.toString(), "hold", "abc123")).isZero();
        }
        assertThat(queue.calls).containsExactly("hold abc123");
    }

    @Test
    void queueCommandSaysWhenNoRelayAnswers() throws IOException {
        int freePort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            freePort = s.getLocalPort();
        }

        assertThat(run("queue", "list", "--admin", "127.0.0.1:" + freePort)).isEqualTo(1);
        assertThat(err.toString()).contains("relay: cannot reach the relay's admin API at http://127.0.0.1:" + freePort);
    }

    /** Runs the CLI with the fake resolver; out and err are reset first. */
    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cl = Main.commandLine(new StandaloneComponents(o -> dns), Map.of());
        cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }
}
