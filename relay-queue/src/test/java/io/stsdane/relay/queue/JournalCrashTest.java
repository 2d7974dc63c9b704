package io.stsdane.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.internal.FileQueueStore;
import io.stsdane.relay.queue.internal.LegacySpoolWriter;
import io.stsdane.relay.queue.internal.QueueIds;
import io.stsdane.relay.queue.internal.SpoolSync;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at moments the journal is rewriting itself: while segments are deleted and live messages compacted
 * forward, and while start-up recovery migrates a version 1 spool. Nothing acknowledged may be lost, nothing
 * may be quarantined, nothing may be queued twice.
 */
class JournalCrashTest {

    @TempDir
    Path spool;

    @Test
    void noAcknowledgedMessageIsLostByAKillDuringCompaction() throws Exception {
        Random random = new Random();
        List<String> acked = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            try (ChildJvm child = new ChildJvm(CompactionCrashChild.class, List.of("-Xmx128m"), spool.toString())) {
                int target = acked.size() + 40 + random.nextInt(80);
                int already = acked.size();
                await().atMost(Duration.ofMinutes(2))
                        .failFast(() -> child.stderr().contains("Exception"))
                        .until(() -> already + ackedIn(child).size() >= target);
                Thread.sleep(random.nextInt(150)); // a random moment: the child goes on meanwhile
                child.kill();
                acked.addAll(ackedIn(child));
            }
        }
        try (FileQueueStore store = new FileQueueStore(spool, 0, Clock.systemUTC(), SpoolSync.FSYNC,
                CompactionCrashChild.SEGMENT)) {
            RecoveryReport report = store.recover();
            System.out.printf("compaction crash test: %d acknowledged and kept, %d recovered, journal %d KiB%n",
                    acked.size(), report.recovered(), bytes(spool.resolve("journal")) >> 10);
            assertThat(report.quarantined()).isZero();
            for (String id : acked) {
                QueueId qid = new QueueId(id);
                assertThat(store.load(qid)).as("acknowledged %s", id).hasValueSatisfying(
                        m -> assertThat(m.state().held()).isTrue());
                try (InputStream in = store.content(qid).open()) {
                    assertThat(in.readAllBytes()).as("content of %s", id).isEqualTo(CrashChild.contentOf(qid));
                }
            }
            // Three in four messages were removed: finished segments go, and the journal shrinks to about twice
            // what is kept (on average 48 KiB a message) plus two segments.
            long bound = acked.size() * 3L * 48 * 1024 + 4 * CompactionCrashChild.SEGMENT;
            await().atMost(Duration.ofMinutes(2)).until(() -> bytes(spool.resolve("journal")) < bound);
        }
    }

    @Test
    void aKillDuringStartUpMigrationOfAVersion1SpoolLosesAndDuplicatesNothing() throws Exception {
        int messages = 3_000;
        QueueIds ids = new QueueIds(Clock.systemUTC());
        List<QueueId> written = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            QueueId id = ids.get();
            LegacySpoolWriter.write(spool, id, TestMessages.envelope("a@example.org", Instant.now(),
                    TestMessages.rcpt("b@example.net")), CrashChild.contentOf(id), null);
            written.add(id);
        }
        Random random = new Random();
        int finished = 0;
        for (int round = 0; round < 4; round++) {
            try (ChildJvm child = new ChildJvm(RecoveryCrashChild.class, List.of("-Xmx128m"), spool.toString())) {
                Thread.sleep(300 + random.nextInt(700)); // JVM start-up, then somewhere in the recovery
                child.kill();
                finished += child.lines().stream().anyMatch(l -> l.startsWith("RECOVERED ")) ? 1 : 0;
            }
        }
        try (FileQueueStore store = new FileQueueStore(spool, 0, Clock.systemUTC(), SpoolSync.FSYNC)) {
            RecoveryReport report = store.recover();
            System.out.printf("recovery crash test: %d of 4 killed recoveries had finished; %d recovered%n",
                    finished, report.recovered());
            assertThat(report.quarantined()).isZero();
            assertThat(store.size()).isEqualTo(messages);
            for (QueueId id : written) {
                try (InputStream in = store.content(id).open()) {
                    assertThat(in.readAllBytes()).as("content of %s", id).isEqualTo(CrashChild.contentOf(id));
                }
            }
            assertThat(spool.resolve("queue")).doesNotExist();
        }
    }

    private static long bytes(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            long n = 0;
            for (Path p : files.toList()) {
                n += p.toFile().length(); // 0 for a segment the maintenance thread deleted just now
            }
            return n;
        }
    }

    private static List<String> ackedIn(ChildJvm child) {
        return child.lines().stream().filter(l -> l.startsWith("ACK ")).map(l -> l.substring(4)).toList();
    }
}
