package io.stsdane.relay.queue;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs in a child JVM for {@link SpoolCrashTest}: accepts messages through the intake from several threads
 * and prints {@code ACK <id>} after each accept returns, until it is killed. Delivery never completes, so
 * everything accepted stays queued.
 */
public final class CrashChild {

    private CrashChild() {
    }

    /** The content of message {@code id}: derived from the id so the parent can check it byte for byte. */
    public static byte[] contentOf(QueueId id) {
        long seed = id.value().hashCode();
        int size = 1 + (int) Math.floorMod(seed * 31, 96 * 1024);
        return TestMessages.content(seed, size);
    }

    public static void main(String[] args) throws Exception {
        MessageQueue queue = MessageQueue.builder()
                .directory(Path.of(args[0]))
                .hostname("crash.test")
                .minFreeDisk(0)
                .concurrency(1)
                .deliveryAgent(req -> new CompletableFuture<>())
                .build();
        RecoveryReport report = queue.start();
        System.out.println("RECOVERED " + report.recovered() + " " + report.tempFilesDropped() + " "
                + report.quarantined());
        MessageIntake intake = queue.intake();
        int threads = Integer.parseInt(args[1]);
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    while (true) {
                        QueueId id = intake.nextId();
                        Envelope env = new Envelope("sender@example.org",
                                List.of(Recipient.of("rcpt@example.net")), null, null, false, false, false,
                                Instant.now(), "[127.0.0.1] crash");
                        intake.accept(id, env, new ByteArrayInputStream(contentOf(id)));
                        synchronized (System.out) {
                            System.out.println("ACK " + id);
                            System.out.flush();
                        }
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                    System.exit(3);
                }
            });
            th.start();
        }
    }
}
