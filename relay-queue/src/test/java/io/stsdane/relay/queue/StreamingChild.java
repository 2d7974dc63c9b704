package io.stsdane.relay.queue;

import io.stsdane.relay.core.delivery.OutcomeScope;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.queue.Ret;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs in a child JVM with a heap smaller than the message for {@link StreamingTest}: accepts a big
 * message with RET=FULL (into a spool directory, or with args {@code jdbc-url size user password schema} into
 * PostgreSQL), the agent streams it and bounces it, then streams the DSN that carries it whole.
 * Prints {@code ORIG <length> <sha256>}, {@code DSN <length> <sha256-of-dsn>} and {@code PEAKHEAP <bytes>}.
 */
public final class StreamingChild {

    private StreamingChild() {
    }

    public static void main(String[] args) throws Exception {
        long size = Long.parseLong(args[1]);
        CountDownLatch dsnSeen = new CountDownLatch(1);
        ScriptedAgent agent = new ScriptedAgent((req, r) -> {
            if (req.envelope().isBounce()) {
                dsnSeen.countDown();
                return RecipientOutcome.delivered(r, "250 ok", "mx.example.org");
            }
            return RecipientOutcome.bounced(r, OutcomeScope.RECIPIENT, "5.2.2", "552 5.2.2 mailbox full",
                    "mx.example.net");
        }, 0);
        MessageQueue.Builder builder = MessageQueue.builder().hostname("relay.example.com").pollInterval(Duration.ofMillis(20))
                .deliveryAgent(agent);
        if (args[0].startsWith("jdbc:")) {
            builder.postgres(PostgresSpool.of(args[0], args[2], args[3]).withSchema(args[4]));
        } else {
            builder.directory(Path.of(args[0])).minFreeDisk(0);
        }
        try (MessageQueue queue = builder.build()) {
            queue.start();
            QueueId id = queue.intake().nextId();
            Envelope env = new Envelope("alice@example.org", List.of(Recipient.of("bob@example.net")), Ret.FULL,
                    null, false, false, false, Instant.now(), "");
            queue.intake().accept(id, env, TestMessages.generated(size));
            if (!dsnSeen.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("no DSN within 2 minutes");
            }
            for (ScriptedAgent.Delivery d : agent.deliveries()) {
                System.out.println((d.request().envelope().isBounce() ? "DSN " : "ORIG ") + d.length() + " "
                        + d.sha256());
            }
        }
        long peak = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        System.out.println("PEAKHEAP " + peak);
        System.out.flush();
        System.exit(0);
    }
}
