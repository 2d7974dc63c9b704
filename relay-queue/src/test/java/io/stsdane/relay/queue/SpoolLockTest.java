package io.stsdane.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One spool, one process: a second relay on the same {@code spool.dir} would lease the same messages and
 * deliver them twice, so it is refused while the first runs, and admitted once the first is gone, even after
 * {@code kill -9} (the operating system drops the lock with the process).
 */
class SpoolLockTest {

    @TempDir
    Path spool;

    @Test
    void aSecondProcessIsRefusedUntilTheFirstDies() throws Exception {
        try (ChildJvm first = new ChildJvm(CrashChild.class, List.of("-Xmx128m"), spool.toString(), "1")) {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> first.lines().stream().anyMatch(l -> l.startsWith("RECOVERED")));

            assertThatThrownBy(this::openQueue)
                    .hasMessageContaining("is in use by another relay process (pid " + first.pid() + ")")
                    .hasMessageContaining("stop it first");

            first.kill();
        }
        try (MessageQueue queue = openQueue()) {
            assertThat(queue.start().quarantined()).isZero();
        }
    }

    @Test
    void aSecondQueueInTheSameProcessIsRefusedUntilTheFirstCloses() throws Exception {
        try (MessageQueue first = openQueue()) {
            first.start();
            assertThatThrownBy(this::openQueue).hasMessageContaining("is in use by another relay process");
        }
        try (MessageQueue again = openQueue()) {
            assertThat(again.start().recovered()).isZero();
        }
    }

    private MessageQueue openQueue() {
        return MessageQueue.builder().directory(spool).hostname("lock.test").minFreeDisk(0)
                .deliveryAgent(req -> new CompletableFuture<>()).build();
    }
}
