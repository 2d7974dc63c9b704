package io.stsdane.relay.queue;

import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.internal.FileQueueStore;
import io.stsdane.relay.queue.internal.QueueIds;
import io.stsdane.relay.queue.internal.SpoolSync;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

/**
 * Runs in a child JVM for {@link JournalCrashTest}: on a journal of 64 KiB segments, accepts messages from
 * several threads and removes three in four right away, so segments keep filling with garbage and the
 * maintenance thread keeps deleting them and compacting the kept messages forward. Prints {@code ACK <id>}
 * once a kept message is accepted and held (a durable state change), until it is killed.
 */
public final class CompactionCrashChild {

    static final long SEGMENT = 64 * 1024;

    private CompactionCrashChild() {
    }

    static boolean kept(QueueId id) {
        return Math.floorMod(id.value().hashCode(), 4) == 0;
    }

    public static void main(String[] args) throws Exception {
        FileQueueStore store = new FileQueueStore(Path.of(args[0]), 0, Clock.systemUTC(), SpoolSync.FSYNC, SEGMENT);
        RecoveryReport report = store.recover();
        System.out.println("RECOVERED " + report.recovered() + " " + report.quarantined());
        QueueIds ids = new QueueIds(Clock.systemUTC());
        for (int t = 0; t < 4; t++) {
            new Thread(() -> {
                try {
                    while (true) {
                        QueueId id = ids.get();
                        store.enqueue(id, TestMessages.envelope("sender@example.org", Instant.now(),
                                TestMessages.rcpt("rcpt@example.net")), new ByteArrayInputStream(CrashChild.contentOf(id)));
                        if (kept(id)) {
                            store.update(id, m -> new io.stsdane.relay.queue.internal.MessageState(true, m.state().recipients(),
                                    m.state().reportDue()));
                            synchronized (System.out) {
                                System.out.println("ACK " + id);
                                System.out.flush();
                            }
                        } else {
                            store.remove(id);
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                    System.exit(3);
                }
            }).start();
        }
    }
}
