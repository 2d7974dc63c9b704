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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
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
        try (FileQueueStore seed = new FileQueueStore(spool, 0, Clock.systemUTC(), GroupCommitter.DirectorySync.FSYNC)) {
            seed.enqueue(new QueueId("SEED"), envelope("alice@example.org", t0, rcpt("bob@example.net"),
                    rcpt("carol@example.com")), new ByteArrayInputStream(bytes(text("scale"))));
        }
        // The file format does not contain the id, so copies of one message are 100,000 valid entries.
        Path queue = spool.resolve("queue");
        Path template = queue.resolve("SEED.msg");
        for (int i = 1; i < MESSAGES; i++) {
            Files.copy(template, queue.resolve("M" + i + ".msg"));
        }

        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        long before = memory.getHeapMemoryUsage().getUsed();
        try (FileQueueStore store = new FileQueueStore(spool, 0, Clock.systemUTC(),
                GroupCommitter.DirectorySync.FSYNC)) {
            assertThat(store.recover().recovered()).isEqualTo(MESSAGES);
            memory.gc();
            long after = memory.getHeapMemoryUsage().getUsed();
            long perMessage = (after - before) / MESSAGES;
            System.out.printf("recovery of %d messages: heap %+.1f MiB (%d bytes per message)%n", MESSAGES,
                    (after - before) / 1048576.0, perMessage);
            assertThat(store.size()).isEqualTo(MESSAGES);
            assertThat(store.leaseDue(t0, 5)).hasSize(5);
            // Generous bound: the index is ~200 bytes a message; envelopes and bodies must not be in memory.
            assertThat(after - before).isLessThan(100L << 20);
            List<QueueId> ids = store.ids(3);
            assertThat(ids).hasSize(3);
        }
    }
}
