package io.stsdane.relay.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stsdane.relay.core.delivery.OutcomeScope;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.queue.MessageQueue;
import io.stsdane.relay.queue.internal.FileQueueStore;
import io.stsdane.relay.queue.internal.SpoolSync;
import io.stsdane.relay.server.Main;
import io.stsdane.relay.server.wiring.ModuleComponents;
import io.stsdane.relay.sts.PolicyStore;
import io.stsdane.relay.testkit.postgres.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code relay queue migrate}: argument and configuration errors, and whole runs against PostgreSQL. */
class QueueMigrateCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    @RegisterExtension
    final TestDatabase db = new TestDatabase();

    @TempDir
    Path dir;

    @Test
    void argumentErrorsExitTwo() {
        assertThat(run("queue", "migrate")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--from=SPOOL_DIR'");
        assertThat(run("queue", "migrate", "--from", dir.resolve("missing").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--from: " + dir.resolve("missing") + " is not a directory");
        assertThat(run("queue", "migrate", "--from", dir.toString(), "--frobnicate")).isEqualTo(2);
        assertThat(run("queue", "migrate", "--from", dir.toString(), "--admin", "127.0.0.1:8025")).isEqualTo(2);
        assertThat(err.toString()).contains("--admin does not apply");

        assertThat(run("queue", "--help")).isZero();
        assertThat(out.toString()).contains("migrate");
    }

    @Test
    void aConfigurationWithTheFileBackendIsRefused() throws IOException {
        Path config = Files.writeString(dir.resolve("relay.yaml"), "spool: {dir: '" + dir.resolve("new") + "'}\n");

        assertThat(run("queue", "migrate", "--from", dir.toString(), "--config", config.toString())).isEqualTo(1);

        assertThat(err.toString()).startsWith("relay: queue migrate moves messages into the PostgreSQL queue")
                .contains("spool.backend is file");
    }

    /** Refused before any connection: the database of this configuration does not exist. */
    @Test
    void aDirectoryThatIsNotASpoolIsRefused() throws IOException {
        Path config = postgresConfig("jdbc:postgresql://127.0.0.1:1/none");

        assertThat(run("queue", "migrate", "--from", dir.toString(), "--config", config.toString())).isEqualTo(1);

        assertThat(err.toString()).contains("is not a relay file spool: it has no journal/ directory");
    }

    /** A wrong --from that even holds an MTA-STS cache creates no schema, no table, and copies no policy. */
    @Test
    void aDirectoryThatIsNotASpoolLeavesTheDatabaseUntouched() throws Exception {
        Path notASpool = dir.resolve("relay");
        String policy = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.net\r\nmax_age: 86400\r\n";
        PolicyStore.directory(notASpool.resolve("mta-sts"))
                .save(PolicyStore.restore("example.net", "20260101", policy, Instant.now().minusSeconds(3600)));
        Path config = postgresConfig(db.url());

        assertThat(run("queue", "migrate", "--from", notASpool.toString(), "--config", config.toString()))
                .isEqualTo(1);

        assertThat(err.toString()).contains(notASpool + " is not a relay file spool: it has no journal/ directory");
        assertThat(db.count("SELECT count(*) FROM information_schema.schemata WHERE schema_name = '"
                + db.schema() + "'")).as("schema created").isZero();
    }

    @Test
    void migratesASpoolWrittenByARelayAndSaysWhatWasLeftBehind() throws Exception {
        Path spool = dir.resolve("spool");
        List<QueueId> ids = spoolTwoMessages(spool);
        // The old node's MTA-STS cache: one policy still valid, one expired.
        PolicyStore cache = PolicyStore.directory(spool.resolve("mta-sts"));
        String policy = "version: STSv1\r\nmode: enforce\r\nmx: mx.example.net\r\nmax_age: 86400\r\n";
        cache.save(PolicyStore.restore("example.net", "20260101", policy, Instant.now().minusSeconds(3600)));
        cache.save(PolicyStore.restore("old.example", "20200101", policy, Instant.now().minusSeconds(200_000)));
        Path config = postgresConfig(db.url());

        assertThat(run("queue", "migrate", "--from", spool.toString(), "--config", config.toString(), "--dry-run"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("Dry run: nothing was written.",
                "1 unexpired MTA-STS polic(ies) would be copied", "2 message(s) would be copied into PostgreSQL",
                "Every message would move.");
        assertThat(queuedIn(spool)).isEqualTo(2);

        assertThat(run("queue", "migrate", "--config", config.toString(), "--from", spool.toString()))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("1 MTA-STS polic(ies) copied, 0 kept", "1 expired left behind",
                "2 message(s) copied into PostgreSQL", "Every message is in PostgreSQL now.");
        assertThat(queuedIn(spool)).isZero();
        assertThat(db.string("SELECT string_agg(domain, ',') FROM sts_policy")).isEqualTo("example.net");
        assertThat(db.string("SELECT string_agg(id, ',' ORDER BY id) FROM queue_message"))
                .isEqualTo(ids.get(0) + "," + ids.get(1));
        assertThat(db.string("SELECT max(attempts) FROM queue_recipient")).isEqualTo("1");

        Path corrupt = Files.writeString(spool.resolve("quarantine/ABC.msg.1"), "damaged");
        assertThat(run("queue", "migrate", "--from", spool.toString(), "--config", config.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("0 message(s) copied", "1 entry left in the file spool:",
                corrupt + ": quarantined by an earlier recovery");
    }

    /** A relay on the file backend accepts two messages, tries each once (deferred) and stops. */
    private static List<QueueId> spoolTwoMessages(Path spool) throws Exception {
        MessageQueue queue = MessageQueue.builder().directory(spool).hostname("old.test").minFreeDisk(0)
                .deliveryAgent(request -> CompletableFuture.completedFuture(request.recipients().stream()
                        .map(r -> RecipientOutcome.deferred(r, OutcomeScope.DESTINATION, "4.7.5",
                                "451 4.7.5 no TLSA match", "mx.example.net"))
                        .toList()))
                .pollInterval(Duration.ofMillis(50)).build();
        try (queue) {
            queue.start();
            List<QueueId> ids = List.of(queue.intake().nextId(), queue.intake().nextId());
            for (QueueId id : ids) {
                Envelope env = new Envelope("alice@example.org", List.of(new Recipient("bob@example.net", Set.of(), null)),
                        null, null, false, false, false, Instant.now(), "[127.0.0.1] test");
                queue.intake().accept(id, env, new ByteArrayInputStream(("Subject: " + id + "\r\n\r\nHi.\r\n")
                        .getBytes(StandardCharsets.US_ASCII)));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> queue.admin().list(10).stream()
                    .allMatch(m -> m.recipients().get(0).attempts() == 1));
            return ids.stream().sorted().toList();
        }
    }

    private Path postgresConfig(String url) throws IOException {
        Path password = Files.writeString(dir.resolve("postgres.password"), db.password() + "\n");
        return Files.writeString(dir.resolve("relay.yaml"), String.join("\n",
                "spool:",
                "  backend: postgres",
                "  dir: '" + dir.resolve("unused") + "'",
                "  postgres:",
                "    url: '" + url + "'",
                "    user: '" + db.user() + "'",
                "    password-file: '" + password + "'",
                "    schema: " + db.schema(),
                "    connect-timeout: 2s",
                ""));
    }

    /** Messages in the file spool of a stopped node, as its next start would recover them. */
    private static int queuedIn(Path spool) throws IOException {
        try (FileQueueStore store = new FileQueueStore(spool, 0, Clock.systemUTC(), SpoolSync.FSYNC)) {
            return store.recover().recovered();
        }
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        // The real wiring: the command opens the database of the configuration.
        CommandLine cl = Main.commandLine(new ModuleComponents(), Map.of());
        cl.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }
}
