package io.stsdane.relay.queue.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Queue meters: {@code relay.queue.size}, {@code relay.queue.oldest.age} (seconds),
 * {@code relay.queue.received}, {@code relay.queue.recipients{outcome=delivered|deferred|bounced}},
 * {@code relay.queue.dsn.queued}, {@code relay.queue.suspended.domains} and {@code relay.queue.spool.fsyncs}
 * (every fsync of the file spool; commits of accepted messages with PostgreSQL; divided by
 * {@code relay.queue.received} it is the syncs per accepted message). With the PostgreSQL store the size is the
 * whole cluster's queue (quarantined messages included), and -1 while the database cannot be asked;
 * {@code relay.queue.quarantined} counts the messages set aside as unreadable (for the file spool: what recovery
 * moved to {@code quarantine/} since the start), which
 * need an operator.
 * Thread-safe.
 */
public final class QueueMetrics {

    private final Counter received;
    private final Counter delivered;
    private final Counter deferred;
    private final Counter bounced;
    private final Counter dsns;

    public QueueMetrics(MeterRegistry registry, QueueStore store, DomainSuspensions suspensions, Clock clock) {
        Gauge.builder("relay.queue.suspended.domains", suspensions, s -> s.active().size())
                .description("destination domains an operator suspended (relay queue suspend)").register(registry);
        Gauge.builder("relay.queue.size", store, QueueStore::size)
                .description("messages in the queue").register(registry);
        Gauge.builder("relay.queue.oldest.age", store, s -> s.oldestReceived()
                        .map(t -> Duration.between(t, clock.instant()).toMillis() / 1000.0).orElse(0.0))
                .baseUnit("seconds").description("age of the oldest queued message").register(registry);
        if (store instanceof FileQueueStore files) {
            FunctionCounter.builder("relay.queue.spool.fsyncs", files, FileQueueStore::spoolSyncs)
                    .description("every fsync of the file spool: journal group commits, large messages, directories")
                    .register(registry);
            Gauge.builder("relay.queue.quarantined", files, FileQueueStore::quarantinedCount)
                    .description("spool entries recovery could not read and set aside in quarantine/")
                    .register(registry);
        }
        if (store instanceof PostgresQueueStore pg) {
            // The same meter as the file spool's: what makes accepted mail durable, per accepted message.
            FunctionCounter.builder("relay.queue.spool.fsyncs", pg, PostgresQueueStore::intakeCommits)
                    .description("PostgreSQL commits of accepted messages (group commit: each is one WAL flush)")
                    .register(registry);
            Gauge.builder("relay.queue.quarantined", pg, PostgresQueueStore::quarantinedCount)
                    .description("unreadable messages set aside; an operator must repair or delete them")
                    .register(registry);
        }
        received = Counter.builder("relay.queue.received").description("messages accepted").register(registry);
        delivered = outcome(registry, "delivered");
        deferred = outcome(registry, "deferred");
        bounced = outcome(registry, "bounced");
        dsns = Counter.builder("relay.queue.dsn.queued").description("DSNs queued").register(registry);
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("relay.queue.recipients").tag("outcome", outcome)
                .description("recipient delivery results").register(registry);
    }

    void received() {
        received.increment();
    }

    void dsnQueued() {
        dsns.increment();
    }

    void recordResults(List<DeliveryResult> results, MessageState after) {
        for (DeliveryResult r : results) {
            switch (after.recipients().get(r.index()).status()) {
                case DELIVERED -> delivered.increment();
                case BOUNCED -> bounced.increment();
                case PENDING -> deferred.increment();
            }
        }
    }
}
