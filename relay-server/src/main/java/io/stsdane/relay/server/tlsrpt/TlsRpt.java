package io.stsdane.relay.server.tlsrpt;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.tls.TlsReporter;
import io.stsdane.relay.core.util.DomainNames;
import io.stsdane.relay.core.util.OwnerGroupFiles;
import io.stsdane.relay.queue.PostgresSpool;
import io.stsdane.relay.server.cluster.PostgresTlsRptCounters;
import io.stsdane.relay.server.tlsrpt.internal.CounterStore;
import io.stsdane.relay.server.tlsrpt.internal.FileCounterStore;
import io.stsdane.relay.server.tlsrpt.internal.PendingStore;
import io.stsdane.relay.server.tlsrpt.internal.ReportJob;
import io.stsdane.relay.server.tlsrpt.internal.ReportOutbox;
import io.stsdane.relay.server.tlsrpt.internal.ReportSenders;
import io.stsdane.relay.server.tlsrpt.internal.SnapshotStore;
import io.stsdane.relay.server.tlsrpt.internal.TlsRptCollector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMTP TLS reporting (RFC 8460) for the relay: counts sessions through {@link #reporter()} and sends daily
 * aggregate reports with {@link #runDailyReports()}.
 *
 * <pre>{@code
 * TlsRpt tlsRpt = TlsRpt.builder()
 *         .directory(spoolDir.resolve("tlsrpt"))
 *         .resolver(dns).intake(queue)
 *         .organization("Example Corp").contact("mailto:postmaster@example.com")
 *         .submitterDomain("relay.example.com")
 *         .build();
 * deliveryEngine(tlsRpt.reporter());
 * tlsRpt.start(scheduler);   // snapshots every 5 minutes, report job every hour
 * ...
 * tlsRpt.close();            // final snapshot
 * }</pre>
 *
 * <p>Thread-safe. Counters are kept in memory and written to {@code directory/counters.json} (atomically), or
 * added to the shared database ({@link Builder#shared}), periodically and on {@link #close()}; built reports wait
 * in {@code directory/pending/}, or in the shared database, until every destination took them.
 */
public final class TlsRpt implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TlsRpt.class);
    static final Duration SNAPSHOT_INTERVAL = Duration.ofMinutes(5);
    static final Duration RUN_INTERVAL = Duration.ofHours(1);

    private final TlsRptCollector collector;
    private final CounterStore counters;
    private final ReportJob job;
    private final AutoCloseable senders;
    private final List<ScheduledFuture<?>> scheduled = new ArrayList<>();

    private TlsRpt(TlsRptCollector collector, CounterStore counters, ReportJob job, AutoCloseable senders) {
        this.collector = collector;
        this.counters = counters;
        this.job = job;
        this.senders = senders;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Give this to the delivery engine: it counts every session it is told about, never blocks or throws. */
    public TlsReporter reporter() {
        return collector;
    }

    /**
     * Builds the reports of every closed UTC day (a few minutes after midnight) and hands all stored reports
     * to their destinations. Safe to call at any time and repeatedly; does DNS and network I/O, so call it off
     * the delivery threads.
     */
    public RunSummary runDailyReports() {
        return job.run();
    }

    /** Writes the counters to disk now (or, with {@link Builder#shared}, adds them to the database). */
    public void saveSnapshot() {
        counters.save();
    }

    /** Schedules a snapshot every 5 minutes and the report job every hour (the first one a minute from now). */
    public synchronized void start(ScheduledExecutorService scheduler) {
        if (!scheduled.isEmpty()) {
            throw new IllegalStateException("already started");
        }
        long snap = SNAPSHOT_INTERVAL.toSeconds();
        scheduled.add(scheduler.scheduleWithFixedDelay(this::saveSnapshot, snap, snap, TimeUnit.SECONDS));
        scheduled.add(scheduler.scheduleWithFixedDelay(this::runQuietly, 60, RUN_INTERVAL.toSeconds(),
                TimeUnit.SECONDS));
    }

    /** A scheduled task that throws is never run again: keep the job alive whatever happens. */
    private void runQuietly() {
        try {
            job.run();
        } catch (RuntimeException e) {
            log.error("TLS-RPT: report job failed", e);
        }
    }

    /** Stops the scheduled tasks and writes a last snapshot. */
    @Override
    public synchronized void close() {
        scheduled.forEach(f -> f.cancel(false));
        scheduled.clear();
        counters.close();
        try {
            senders.close();
        } catch (Exception e) {
            log.debug("TLS-RPT: closing the HTTP client: {}", e.toString());
        }
    }

    /** Each option once; {@link #build()} checks them all and loads the saved counters. */
    public static final class Builder {
        private Path directory;
        private DnsResolver resolver;
        private MessageIntake intake;
        private String organization;
        private String contact;
        private String submitterDomain;
        private String from;
        private String sendingMtaIp;
        private X509TrustManager trustManager;
        private Clock clock = Clock.systemUTC();
        private Duration httpTimeout = Duration.ofSeconds(30);
        private PostgresSpool shared;

        private Builder() {
        }

        /** Where counters and pending reports live, for example {@code <spool.dir>/tlsrpt}; created if missing. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory);
            return this;
        }

        /** Looks up {@code _smtp._tls.<domain>} and the addresses of HTTPS report endpoints. */
        public Builder resolver(DnsResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver);
            return this;
        }

        /** The relay's queue: mail reports go out through it like any other message. */
        public Builder intake(MessageIntake intake) {
            this.intake = Objects.requireNonNull(intake);
            return this;
        }

        /** {@code organization-name} in every report. */
        public Builder organization(String organization) {
            this.organization = requireText(organization, "organization");
            return this;
        }

        /** {@code contact-info} in every report: an address or URL where the receiver can reach the operator. */
        public Builder contact(String contact) {
            this.contact = requireText(contact, "contact");
            return this;
        }

        /** The relay's host name: the report's submitter (Subject, {@code TLS-Report-Submitter}, file name). */
        public Builder submitterDomain(String submitterDomain) {
            this.submitterDomain = DomainNames.canonical(requireText(submitterDomain, "submitterDomain"));
            return this;
        }

        /** From and envelope sender of mail reports; default {@code noreply-smtp-tls-reporting@<submitter>}. */
        public Builder from(String from) {
            this.from = requireText(from, "from");
            return this;
        }

        /** The relay's outbound IP address, reported as {@code sending-mta-ip}; omitted when not set. */
        public Builder sendingMtaIp(String sendingMtaIp) {
            this.sendingMtaIp = requireText(sendingMtaIp, "sendingMtaIp");
            return this;
        }

        /** Trust for HTTPS report endpoints; default the JDK's PKIX trust store. */
        public Builder trustManager(X509TrustManager trustManager) {
            this.trustManager = Objects.requireNonNull(trustManager);
            return this;
        }

        /** Decides the day of each session and when a day is closed. Default: the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** Connect, read and write timeout of HTTPS uploads (the whole call gets twice this). Default 30 s. */
        public Builder httpTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("httpTimeout must be positive");
            }
            this.httpTimeout = timeout;
            return this;
        }

        /**
         * Counts go to the queue's PostgreSQL database instead of {@code directory/counters.json}, summed with
         * every other relay node's, and each daily report is built by one node only (see docs/cluster.md).
         * Built reports are stored in the database too, and delivered by whichever node gets to them first;
         * reports an earlier version left in {@code directory/pending/} are still delivered from there.
         */
        public Builder shared(PostgresSpool spool) {
            this.shared = Objects.requireNonNull(spool);
            return this;
        }

        public TlsRpt build() {
            require(directory, "directory");
            require(resolver, "resolver");
            require(intake, "intake");
            require(organization, "organization");
            require(contact, "contact");
            require(submitterDomain, "submitterDomain");
            String sender = from != null ? from : "noreply-smtp-tls-reporting@" + submitterDomain;
            if (!sender.matches("[^\\s<>@]+@[^\\s<>@]+")) {
                throw new IllegalArgumentException("tls-reporting from must be a plain address local@domain, got '"
                        + sender + "'");
            }
            ObjectMapper json = new ObjectMapper();
            try {
                OwnerGroupFiles.createDirectories(directory);
                TlsRptCollector collector = new TlsRptCollector(clock, sendingMtaIp);
                PendingStore pending = new PendingStore(directory.resolve("pending"), json);
                CounterStore counters;
                List<ReportOutbox> outboxes;
                if (shared != null) {
                    PostgresTlsRptCounters database = new PostgresTlsRptCounters(shared, collector, clock, json,
                            httpTimeout.multipliedBy(2));
                    counters = database;
                    // pending/ still holds what an earlier version of the relay built here: deliver it too.
                    outboxes = List.of(database.reports(), pending);
                } else {
                    counters = new FileCounterStore(collector, new SnapshotStore(directory, json), pending);
                    outboxes = List.of(pending);
                }
                ReportSenders senders = ReportSenders.create(intake, sender, submitterDomain, resolver,
                        trustManager != null ? trustManager : defaultTrust(), httpTimeout, clock);
                ReportJob job = new ReportJob(counters, outboxes, resolver, senders.byScheme(),
                        new ReportJob.Reporter(organization, contact, submitterDomain), clock, json);
                return new TlsRpt(collector, counters, job, senders);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot use TLS-RPT directory " + directory
                        + " (check that it exists and is writable by the relay)", e);
            }
        }

        private static X509TrustManager defaultTrust() {
            try {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init((KeyStore) null);
                return (X509TrustManager) tmf.getTrustManagers()[0];
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("no default trust store", e);
            }
        }

        private static String requireText(String value, String name) {
            if (value == null || value.isBlank() || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException("tls-reporting " + name + " must be non-empty printable text");
            }
            return value.strip();
        }

        private static void require(Object value, String name) {
            if (value == null) {
                throw new IllegalStateException("TlsRpt.builder(): " + name + " is required");
            }
        }
    }
}
