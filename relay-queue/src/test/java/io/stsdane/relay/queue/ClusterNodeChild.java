package io.stsdane.relay.queue;

import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.queue.QueueId;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Runs in a child JVM for {@link PostgresNodeCrashTest}: a relay node on the shared database that accepts
 * {@code count} messages (printing {@code ACK <id>}) and starts delivering them (printing
 * {@code DELIVERING <id>}) with an agent that never finishes, so it holds their leases until it is killed.
 * Args: url user password schema leaseSeconds count.
 */
public final class ClusterNodeChild {

    private ClusterNodeChild() {
    }

    public static void main(String[] args) throws Exception {
        int count = Integer.parseInt(args[5]);
        PostgresSpool spool = PostgresSpool.of(args[0], args[1], args[2]).withSchema(args[3]).withPoolSize(4)
                .withLeaseDuration(Duration.ofSeconds(Long.parseLong(args[4]))).withNodeName("doomed");
        // Slots to spare: a lease batch handed out to nobody (its transaction stalled for most of the lease on a
        // busy machine) is leased again while the others are held.
        MessageQueue queue = MessageQueue.builder().postgres(spool).hostname("doomed.test").concurrency(2 * count)
                .pollInterval(Duration.ofMillis(100))
                .deliveryAgent(req -> {
                    print("DELIVERING " + req.id());
                    return new CompletableFuture<>();
                })
                .build();
        queue.start();
        MessageIntake intake = queue.intake();
        for (int n = 0; n < count; n++) {
            QueueId id = intake.nextId();
            intake.accept(id, TestMessages.envelope("alice@example.org", Instant.now(),
                    TestMessages.rcpt("bob@example.net")), new ByteArrayInputStream(TestMessages.bytes("m" + n)));
            print("ACK " + id);
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void print(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
