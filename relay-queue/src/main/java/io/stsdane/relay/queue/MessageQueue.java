package io.stsdane.relay.queue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.stsdane.relay.core.delivery.DeliveryAgent;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.util.Require;
import io.stsdane.relay.queue.internal.CommitDelay;
import io.stsdane.relay.queue.internal.DomainBackoff;
import io.stsdane.relay.queue.internal.DomainSuspensions;
import io.stsdane.relay.queue.internal.DsnComposer;
import io.stsdane.relay.queue.internal.FileQueueStore;
import io.stsdane.relay.queue.internal.PostgresQueueStore;
import io.stsdane.relay.queue.internal.QueueIds;
import io.stsdane.relay.queue.internal.QueueMetrics;
import io.stsdane.relay.queue.internal.QueueStore;
import io.stsdane.relay.queue.internal.RetryPolicy;
import io.stsdane.relay.queue.internal.Scheduler;
import io.stsdane.relay.queue.internal.SpoolAdmin;
import io.stsdane.relay.queue.internal.SpoolIntake;
import io.stsdane.relay.queue.internal.SpoolSync;
import io.stsdane.relay.queue.internal.StateTransitions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The durable mail queue: a crash-safe spool on disk (or in PostgreSQL, shared by several relay nodes), a
 * retry scheduler that drives a {@link DeliveryAgent},
 * per-recipient state and DSN bounces. Build with {@link #builder()}, then {@link #start()} (recovery, then
 * scheduling); hand {@link #intake()} to the SMTP listener and {@link #admin()} to the admin API.
 * Thread-safe.
 */
public final class MessageQueue implements AutoCloseable {

    private final QueueStore store;
    private final Scheduler scheduler;
    private final SpoolIntake intake;
    private final SpoolAdmin admin;
    private volatile boolean started;

    private MessageQueue(Builder b) throws IOException {
        QueueIds ids = new QueueIds(b.clock);
        CommitDelay commitDelay = new CommitDelay(b.commitDelay);
        RetryPolicy retry = new RetryPolicy(b.retrySchedule, b.jitter, () -> ThreadLocalRandom.current().nextDouble());
        StateTransitions transitions = new StateTransitions(retry, b.maxQueueLifetime, b.delayWarning);
        this.store = b.postgres != null
                ? new PostgresQueueStore(b.postgres)
                : new FileQueueStore(b.directory, b.minFreeDisk, b.clock, SpoolSync.FSYNC, commitDelay);
        DomainSuspensions suspensions = store instanceof PostgresQueueStore pg
                ? DomainSuspensions.inDatabase(pg, b.clock) : DomainSuspensions.inSpool(b.directory, b.clock);
        QueueMetrics metrics = new QueueMetrics(b.meterRegistry, store, suspensions, b.clock);
        DomainBackoff backoff = new DomainBackoff(b.domainFailureThreshold, retry);
        this.scheduler = new Scheduler(store, b.deliveryAgent, transitions, backoff, suspensions,
                new DsnComposer(b.hostname, b.maxQueueLifetime), ids, b.concurrency, b.pollInterval, b.clock, metrics);
        this.intake = new SpoolIntake(store, ids, () -> started, scheduler::wake, metrics);
        this.admin = new SpoolAdmin(store, transitions, scheduler::wake, b.clock, backoff, suspensions);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Recovers the spool (see {@link RecoveryReport}), then starts scheduling. Call once. */
    public synchronized RecoveryReport start() throws IOException {
        if (started) {
            throw new IllegalStateException("queue already started");
        }
        RecoveryReport report = store.recover();
        started = true;
        scheduler.start();
        return report;
    }

    /** Where the listener hands messages in; refuses with 451 until {@link #start()} has run. */
    public MessageIntake intake() {
        return intake;
    }

    /**
     * Whether the queue would take a message now, asked afresh (free disk; the database answering), for a
     * readiness probe; {@code intake().checkCapacity()} at MAIL FROM may go by the store's latest round trip.
     */
    public void checkReady() throws IntakeException {
        intake.checkReady();
    }

    public QueueAdmin admin() {
        return admin;
    }

    /**
     * Stops scheduling; messages in flight finish their current step. Everything accepted stays on disk (or in
     * the database, where this node's leases lapse after {@link PostgresSpool#leaseDuration()}).
     */
    @Override
    public void close() {
        started = false;
        scheduler.close();
        store.close();
    }

    /**
     * Options of the queue. Config keys: {@code spool.dir} or {@code spool.postgres}, {@code spool.min-free-disk},
     * {@code spool.commit-delay},
     * {@code delivery.retry-schedule}, {@code delivery.max-queue-lifetime}, {@code delivery.delay-warning}.
     * Not thread-safe.
     */
    public static final class Builder {
        private Path directory;
        private PostgresSpool postgres;
        private String hostname;
        private List<Duration> retrySchedule = List.of(Duration.ofMinutes(1), Duration.ofMinutes(5),
                Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1));
        private double jitter = 0.1;
        private Duration maxQueueLifetime = Duration.ofDays(5);
        private Duration delayWarning;
        private long minFreeDisk = 100L << 20;
        private Duration commitDelay = Duration.ofMillis(2);
        private DeliveryAgent deliveryAgent;
        private int concurrency = 20;
        private int domainFailureThreshold = 3;
        private Duration pollInterval = Duration.ofSeconds(1);
        private Clock clock = Clock.systemUTC();
        private MeterRegistry meterRegistry = new CompositeMeterRegistry();

        private Builder() {
        }

        /** {@code spool.dir}: created if missing; must be on a file system where rename is atomic. */
        public Builder directory(Path d) {
            this.directory = Objects.requireNonNull(d, "directory");
            return this;
        }

        /**
         * {@code spool.backend: postgres}: keep the queue in PostgreSQL, shared with every node configured with
         * the same database and schema, instead of {@link #directory}. {@link #minFreeDisk} does not apply.
         */
        public Builder postgres(PostgresSpool p) {
            this.postgres = Objects.requireNonNull(p, "postgres");
            return this;
        }

        /** This relay's host name, for {@code Reporting-MTA} and the DSN sender address. */
        public Builder hostname(String h) {
            this.hostname = Objects.requireNonNull(h, "hostname");
            return this;
        }

        /** {@code delivery.retry-schedule}: delay after the 1st, 2nd... failure; the last one repeats. */
        public Builder retrySchedule(List<Duration> s) {
            this.retrySchedule = List.copyOf(s);
            return this;
        }

        /** Each delay is stretched or shrunk at random by up to this fraction (default 0.1). */
        public Builder jitter(double j) {
            this.jitter = j;
            return this;
        }

        /** {@code delivery.max-queue-lifetime} (default 5 days): then pending recipients bounce. */
        public Builder maxQueueLifetime(Duration d) {
            this.maxQueueLifetime = Require.positive(d, "maxQueueLifetime");
            return this;
        }

        /** {@code delivery.delay-warning}: age after which one {@code Action: delayed} DSN goes out; off if null. */
        public Builder delayWarning(Duration d) {
            this.delayWarning = d;
            return this;
        }

        /** {@code spool.min-free-disk} in bytes (default 100 MiB): below it the listener answers 452 4.3.1. */
        public Builder minFreeDisk(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("minFreeDisk must not be negative");
            }
            this.minFreeDisk = bytes;
            return this;
        }

        /**
         * {@code spool.commit-delay} (default 2 ms): the longest a spool commit waits for intakes on their way
         * to it, so that they share its {@code fsync}; zero never waits. File backend.
         */
        public Builder commitDelay(Duration d) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("commitDelay must not be negative");
            }
            this.commitDelay = d;
            return this;
        }

        public Builder deliveryAgent(DeliveryAgent a) {
            this.deliveryAgent = Objects.requireNonNull(a, "deliveryAgent");
            return this;
        }

        /** Messages in delivery at the same time (default 20). */
        public Builder concurrency(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("concurrency must be at least 1");
            }
            this.concurrency = n;
            return this;
        }

        /** Consecutive all-deferred deliveries after which a domain is backed off as a whole (default 3). */
        public Builder domainFailureThreshold(int n) {
            this.domainFailureThreshold = n;
            return this;
        }

        /** How often the scheduler looks for due messages without being woken (default 1 s). */
        public Builder pollInterval(Duration d) {
            this.pollInterval = Require.positive(d, "pollInterval");
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        public Builder meterRegistry(MeterRegistry r) {
            this.meterRegistry = Objects.requireNonNull(r, "meterRegistry");
            return this;
        }

        /** Checks the options and creates the spool directories; nothing runs until {@link MessageQueue#start()}. */
        public MessageQueue build() {
            if ((directory == null) == (postgres == null)) {
                throw new IllegalStateException(directory == null
                        ? "a spool is required: directory(Path) or postgres(PostgresSpool)"
                        : "choose one spool: directory(Path) or postgres(PostgresSpool), not both");
            }
            Objects.requireNonNull(hostname, "hostname is required");
            Objects.requireNonNull(deliveryAgent, "deliveryAgent is required");
            try {
                return new MessageQueue(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open spool " + (directory != null ? directory : postgres)
                        + ": " + e.getMessage(), e);
            }
        }
    }
}
