package io.stsdane.relay.queue;

import io.stsdane.relay.queue.internal.FileQueueStore;
import io.stsdane.relay.queue.internal.SpoolSync;
import java.nio.file.Path;
import java.time.Clock;

/** Runs in a child JVM for {@link JournalCrashTest}: opens and recovers a spool, prints the report, exits. */
public final class RecoveryCrashChild {

    private RecoveryCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        try (FileQueueStore store = new FileQueueStore(Path.of(args[0]), 0, Clock.systemUTC(), SpoolSync.FSYNC)) {
            RecoveryReport report = store.recover();
            System.out.println("RECOVERED " + report.recovered() + " " + report.quarantined());
        }
        System.exit(0);
    }
}
