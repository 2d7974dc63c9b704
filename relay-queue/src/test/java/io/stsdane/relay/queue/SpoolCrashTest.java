package io.stsdane.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.internal.FileQueueStore;
import io.stsdane.relay.queue.internal.SpoolSync;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a JVM that is accepting mail from several threads, several rounds on the same spool: every id
 * the child acknowledged must come back complete and byte-exact, and nothing partial may remain.
 */
class SpoolCrashTest {

    @TempDir
    Path spool;

    @Test
    void everyAcknowledgedMessageSurvivesKillMinus9() throws Exception {
        Random random = new Random();
        List<String> acked = new ArrayList<>();
        int rounds = 6;
        for (int round = 0; round < rounds; round++) {
            try (ChildJvm child = new ChildJvm(CrashChild.class, List.of("-Xmx128m"), spool.toString(), "6")) {
                int target = acked.size() + 20 + random.nextInt(60);
                int already = acked.size();
                await().atMost(Duration.ofMinutes(2))
                        .failFast(() -> !child.stderr().isEmpty() && child.stderr().contains("Exception"))
                        .until(() -> already + ackedIn(child).size() >= target);
                // A random moment: the child keeps accepting while we pick it.
                Thread.sleep(random.nextInt(150));
                child.kill();
                acked.addAll(ackedIn(child));
            }
        }

        try (FileQueueStore store = new FileQueueStore(spool, 0, Clock.systemUTC(),
                SpoolSync.FSYNC)) {
            RecoveryReport report = store.recover();
            System.out.printf("crash test: %d rounds, %d acknowledged, %d recovered, %d temp files dropped, "
                    + "%d quarantined%n", rounds, acked.size(), report.recovered(), report.tempFilesDropped(),
                    report.quarantined());
            assertThat(report.quarantined()).isZero();
            assertThat(report.recovered()).isGreaterThanOrEqualTo(acked.size());
            for (String id : acked) {
                QueueId qid = new QueueId(id);
                assertThat(store.load(qid)).as("acknowledged %s", id).isPresent();
                try (InputStream in = store.content(qid).open()) {
                    assertThat(in.readAllBytes()).as("content of %s", id).isEqualTo(CrashChild.contentOf(qid));
                }
            }
        }
    }

    private static List<String> ackedIn(ChildJvm child) {
        return child.lines().stream().filter(l -> l.startsWith("ACK ")).map(l -> l.substring(4)).toList();
    }
}
