package io.stsdane.relay.queue.internal;

import static io.stsdane.relay.queue.TestMessages.bytes;
import static io.stsdane.relay.queue.TestMessages.envelope;
import static io.stsdane.relay.queue.TestMessages.rcpt;
import static io.stsdane.relay.queue.TestMessages.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.queue.QueueId;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 100,000 queued messages come back at start-up and cost only their small index entries in heap. */
class RecoveryScaleTest {

    private static final int MESSAGES = 100_000;

    @TempDir
    Path spool;

    @Test
    void hundredThousandMessagesAreRecoveredWithAFlatHeap() throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        // Seeded through the store from a few threads, with syncs skipped: the test is about reading back.
        try (FileQueueStore seed = new FileQueueStore(spool, 0, Clock.systemUTC(), ch -> { })) {
            seed.recover();
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    for (int i = first; i < MESSAGES; i += 8) {
                        seed.enqueue(new QueueId("M" + i), envelope("alice@example.org", t0,
                                rcpt("bob@example.net"), rcpt("carol@example.com")),
                                new ByteArrayInputStream(bytes(text("scale"))));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
        }

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        long before = memory.getHeapMemoryUsage().getUsed();
        try (FileQueueStore store = new FileQueueStore(spool, 0, Clock.systemUTC(),
                SpoolSync.FSYNC)) {
            long started = System.nanoTime();
            assertThat(store.recover().recovered()).isEqualTo(MESSAGES);
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            memory.gc();
            long after = memory.getHeapMemoryUsage().getUsed();
            long perMessage = (after - before) / MESSAGES;
            System.out.printf("recovery of %d messages: %d ms, heap %+.1f MiB (%d bytes per message)%n", MESSAGES,
                    tookMillis, (after - before) / 1048576.0, perMessage);
            assertThat(store.size()).isEqualTo(MESSAGES);
            assertThat(store.leaseDue(t0, 5)).hasSize(5);
            // Generous bound: the index is ~200 bytes a message; envelopes and bodies must not be in memory.
            assertThat(after - before).isLessThan(100L << 20);
            List<QueueId> ids = store.ids(3);
            assertThat(ids).hasSize(3);
        }
    }
}
