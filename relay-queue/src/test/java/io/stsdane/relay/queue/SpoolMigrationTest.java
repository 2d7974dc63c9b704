package io.stsdane.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.internal.FileQueueStore;
import io.stsdane.relay.queue.internal.PostgresQueueStore;
import io.stsdane.relay.queue.internal.StoredMessage;
import io.stsdane.relay.testkit.postgres.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@link SpoolMigration} from a real file spool into a real PostgreSQL. */
class SpoolMigrationTest {

    @RegisterExtension
    final TestDatabase db = new TestDatabase();
    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private PostgresQueueStore pg(String node) throws IOException {
        PostgresQueueStore s = new PostgresQueueStore(TestSpools.spool(db, node));
        open.add(s);
        s.recover();
        return s;
    }

    private MigrationReport migrate(boolean dryRun) throws IOException {
        return SpoolMigration.migrate(dir, TestSpools.spool(db, "migration"), dryRun);
    }

    @Test
    void everyMessageMovesWithItsStateAndExactContentAndASecondRunFindsNothing() throws Exception {
        FileSpoolFixture spool = new FileSpoolFixture(dir);

        MigrationReport report = migrate(false);

        assertThat(report).isEqualTo(new MigrationReport(false, 5, 0, spool.totalBytes(), 0, 0, List.of()));
        assertThat(report.complete()).isTrue();
        PostgresQueueStore pg = pg("check");
        for (StoredMessage m : spool.source.values()) {
            assertThat(pg.load(m.id())).contains(m);
            try (InputStream in = pg.content(m.id()).open()) {
                assertThat(in.readAllBytes()).isEqualTo(spool.content.get(m.id()));
            }
        }
        assertThat(db.queryOne("SELECT count(*) FROM queue_message WHERE lease_owner IS NOT NULL")).isEqualTo(0L);
        assertThat(db.queryOne("SELECT min(accepted_by) FROM queue_message"))
                .isEqualTo("spool-migration:" + dir.toRealPath());
        try (FileQueueStore files = FileSpoolFixture.open(dir)) {
            assertThat(files.inventory().messages()).as("messages left in the file spool").isEmpty();
        }

        assertThat(migrate(false)).isEqualTo(new MigrationReport(false, 0, 0, 0, 0, 0, List.of()));
        assertThat(db.queryOne("SELECT count(*) FROM queue_message")).isEqualTo(5L);
    }

    @Test
    void aCopyCommittedBeforeACrashIsNeitherDeliveredNorCopiedAgainAndTheNextRunRemovesItsFileEntry()
            throws Exception {
        FileSpoolFixture spool = new FileSpoolFixture(dir);
        StoredMessage m = spool.source.get(spool.partial);
        PostgresQueueStore node = pg("node");
        importAsACrashedRunWould(m, false);

        // Both copies exist now: the one in PostgreSQL must wait for the migration, or both could be delivered.
        assertThat(node.leaseDue(Instant.now(), 10)).isEmpty();

        MigrationReport report = migrate(false);

        assertThat(report.migrated()).isEqualTo(4);
        assertThat(report.alreadyPresent()).isEqualTo(1);
        assertThat(report.bytes()).isEqualTo(spool.totalBytes() - spool.content.get(spool.partial).length);
        assertThat(db.queryOne("SELECT count(*) FROM queue_content WHERE message_id = '" + m.id() + "'"))
                .isEqualTo(1L);
        assertThat(node.load(m.id())).contains(m);
        assertThat(db.queryOne("SELECT count(*) FROM queue_message WHERE lease_owner IS NOT NULL")).isEqualTo(0L);
        try (FileQueueStore files = FileSpoolFixture.open(dir)) {
            assertThat(files.inventory().messages()).isEmpty();
        }
        assertThat(node.leaseDue(Instant.now(), 10)).extracting(StoredMessage::id).contains(m.id());
    }

    @Test
    void aCopyWhoseFileEntryWasRemovedBeforeACrashIsHandedToTheNodesByTheNextRun() throws Exception {
        FileSpoolFixture spool = new FileSpoolFixture(dir);
        importAsACrashedRunWould(spool.source.get(spool.held), true);

        MigrationReport report = migrate(false);

        assertThat(report).isEqualTo(new MigrationReport(false, 4, 0,
                spool.totalBytes() - spool.content.get(spool.held).length, 1, 0, List.of()));
        assertThat(db.queryOne("SELECT count(*) FROM queue_message WHERE lease_owner IS NOT NULL")).isEqualTo(0L);
        assertThat(pg("check").load(spool.held)).contains(spool.source.get(spool.held));
    }

    /** What a run that stopped right after its commit (and, with {@code removed}, after the removal) leaves. */
    private void importAsACrashedRunWould(StoredMessage m, boolean removed) throws Exception {
        try (PostgresQueueStore crashed = new PostgresQueueStore(TestSpools.spool(db, "migration"));
                FileQueueStore files = FileSpoolFixture.open(dir)) {
            crashed.recover();
            try (InputStream in = files.openVerifiedContent(m.id())) {
                assertThat(crashed.importMessage(m, in, SpoolMigration.holderFor(dir))).isEmpty();
            }
            if (removed) {
                files.removeEntry(m.id());
            }
        }
    }

    @Test
    void anIdPostgresUsesForADifferentMessageIsLeftInTheFileSpool() throws Exception {
        FileSpoolFixture spool = new FileSpoolFixture(dir);
        PostgresQueueStore pg = pg("node");
        pg.enqueue(spool.fresh, TestMessages.envelope("mallory@example.org", spool.t0, TestMessages.rcpt("x@example.com")),
                new ByteArrayInputStream(TestMessages.bytes("other")));

        MigrationReport report = migrate(false);

        assertThat(report.migrated()).isEqualTo(4);
        assertThat(report.complete()).isFalse();
        assertThat(report.leftBehind()).singleElement().satisfies(l -> {
            assertThat(l.entry()).isEqualTo(spool.fresh.value());
            assertThat(l.reason()).contains("different message");
        });
        try (FileQueueStore files = FileSpoolFixture.open(dir)) {
            assertThat(files.readEntry(spool.fresh)).isEqualTo(spool.source.get(spool.fresh));
        }
        assertThat(pg.load(spool.fresh).orElseThrow().envelope().sender()).isEqualTo("mallory@example.org");
    }

    @Test
    void corruptQuarantinedAndUnknownEntriesStayWhereTheyAreAndAreReported() throws Exception {
        FileSpoolFixture spool = new FileSpoolFixture(dir);
        damageContent(spool.big);
        Files.write(dir.resolve("journal/notes.txt"), TestMessages.bytes("hello"));
        Path quarantined = Files.write(dir.resolve("quarantine/OLD.msg.1700000000000"), TestMessages.bytes("x"));

        MigrationReport report = migrate(false);

        assertThat(report.migrated()).isEqualTo(4);
        assertThat(report.bytes()).isEqualTo(spool.totalBytes() - FileSpoolFixture.BIG);
        assertThat(report.leftBehind()).extracting(MigrationReport.LeftBehind::entry)
                .hasSize(3)
                .contains(spool.big.value(), quarantined.toString())
                .anyMatch(e -> e.startsWith(dir.resolve("quarantine/notes.txt.").toString()));
        assertThat(report.leftBehind()).filteredOn(l -> l.entry().equals(spool.big.value()))
                .singleElement().satisfies(l -> assertThat(l.reason()).contains("content checksum mismatch"));
        assertThat(quarantined).exists();
        assertThat(dir.resolve("large/" + spool.big)).exists();
        // The damaged body never reached PostgreSQL: its transaction rolled back.
        assertThat(db.queryOne("SELECT count(*) FROM queue_message WHERE id = '" + spool.big + "'")).isEqualTo(0L);
        assertThat(db.queryOne("SELECT count(*) FROM queue_content WHERE message_id = '" + spool.big + "'"))
                .isEqualTo(0L);
    }

    @Test
    void dryRunReadsAndChecksEverythingAndWritesNothing() throws Exception {
        FileSpoolFixture spool = new FileSpoolFixture(dir);
        Map<String, Long> before = files();

        assertThat(migrate(true)).isEqualTo(new MigrationReport(true, 5, 0, spool.totalBytes(), 0, 0, List.of()));
        assertThat(db.queryOne("SELECT count(*) FROM information_schema.schemata WHERE schema_name = '"
                + db.schema() + "'")).as("schema created").isEqualTo(0L);
        assertThat(files()).isEqualTo(before);

        importAsACrashedRunWould(spool.source.get(spool.partial), false);
        damageContent(spool.big);
        Map<String, Long> damaged = files();
        Object leased = db.queryOne("SELECT lease_owner FROM queue_message");

        MigrationReport report = migrate(true);

        assertThat(report.migrated()).isEqualTo(3);
        assertThat(report.alreadyPresent()).isEqualTo(1);
        assertThat(report.leftBehind()).extracting(MigrationReport.LeftBehind::entry).containsExactly(spool.big.value());
        assertThat(files()).isEqualTo(damaged);
        assertThat(db.queryOne("SELECT count(*) FROM queue_message")).isEqualTo(1L);
        assertThat(db.queryOne("SELECT lease_owner FROM queue_message")).isEqualTo(leased);
    }

    @Test
    void migratedMessagesAreDeliveredFromPostgresWithTheirState() throws Exception {
        FileSpoolFixture spool = new FileSpoolFixture(dir);
        assertThat(migrate(false).complete()).isTrue();
        ScriptedAgent agent = ScriptedAgent.deliveringAll();
        MessageQueue queue = MessageQueue.builder().postgres(TestSpools.spool(db, "node")).hostname("node.test").deliveryAgent(agent)
                .pollInterval(Duration.ofMillis(100)).build();
        open.add(queue);
        queue.start();

        // Only the held message stays; the owed DSN is queued and delivered as a message of its own.
        await().atMost(Duration.ofSeconds(30)).until(() -> queue.admin().list(10).size() == 1
                && !agent.dsns().isEmpty());

        assertThat(queue.admin().show(spool.held)).hasValueSatisfying(v -> assertThat(v.held()).isTrue());
        Map<QueueId, List<ScriptedAgent.Delivery>> byId = new TreeMap<>();
        agent.deliveries().forEach(d -> byId.computeIfAbsent(d.request().id(), k -> new ArrayList<>()).add(d));
        assertThat(byId).doesNotContainKey(spool.held);
        // Only the recipient still pending: the delivered one is not sent again.
        assertThat(byId.get(spool.partial)).singleElement().satisfies(d -> {
            assertThat(d.request().recipients()).extracting(r -> r.address()).containsExactly("bob@example.net");
            assertThat(d.content()).isEqualTo(spool.content.get(spool.partial));
        });
        assertThat(byId.get(spool.big)).singleElement().satisfies(d -> {
            assertThat(d.length()).isEqualTo(FileSpoolFixture.BIG);
            assertThat(d.sha256()).isEqualTo(sha256(spool.content.get(spool.big)));
        });
        assertThat(byId.get(spool.fresh)).singleElement()
                .satisfies(d -> assertThat(d.content()).isEqualTo(spool.content.get(spool.fresh)));
        // The DSN the message owed for its bounced recipient went out, and its other recipient was delivered.
        assertThat(agent.dsns()).singleElement().satisfies(d -> assertThat(d.text()).contains("erin@example.com"));
        assertThat(byId.get(spool.dsnOwed)).singleElement().satisfies(d -> assertThat(d.request().recipients())
                .extracting(r -> r.address()).containsExactly("bob@example.net"));
    }

    @Test
    void aDirectoryThatIsNotASpoolIsRefused() {
        assertThatThrownBy(() -> SpoolMigration.migrate(dir, TestSpools.spool(db, "migration"), false))
                .isInstanceOf(IOException.class).hasMessageContaining("is not a relay file spool");
    }

    /** Flips one content byte of a large message's file; its size stays right, so only the checksum tells. */
    private void damageContent(QueueId id) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("large/" + id).toFile(), "rw")) {
            long at = f.length() - 1000;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0xff);
        }
    }

    /** Every file under the spool with its size and modification time. */
    private Map<String, Long> files() throws IOException {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            // The spool's lock file is rewritten by whoever opens the spool; it holds no mail.
            for (Path p : all.filter(Files::isRegularFile).filter(p -> !p.equals(dir.resolve("lock"))).toList()) {
                out.put(dir.relativize(p) + " " + Files.size(p), Files.getLastModifiedTime(p).toMillis());
            }
        }
        return out;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
