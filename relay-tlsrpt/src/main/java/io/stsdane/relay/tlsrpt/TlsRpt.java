package io.stsdane.relay.tlsrpt;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.tls.TlsReporter;
import io.stsdane.relay.core.util.DomainNames;
import io.stsdane.relay.core.pki.TrustStores;
import io.stsdane.relay.core.util.OwnerGroupFiles;
import io.stsdane.relay.tlsrpt.internal.FileCounterStore;
import io.stsdane.relay.tlsrpt.internal.PendingStore;
import io.stsdane.relay.tlsrpt.internal.ReportJob;
import io.stsdane.relay.tlsrpt.internal.ReportSenders;
import io.stsdane.relay.tlsrpt.internal.TlsRptCollector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMTP TLS reporting (RFC 8460) for the relay: counts sessions through {@link #reporter()} and sends daily
 * aggregate reports with {@link #runDailyReports()}.
 *
 * <pre>{@code
 * TlsRpt tlsRpt = TlsRpt.builder()
 *         .directory(spoolDir.resolve("tlsrpt"))
 *         .resolver(dns).httpClient(http).intake(queue)
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
 * added to a store shared by several relay nodes ({@link Builder#sharedStore}), periodically and on
 * {@link #close()}; built reports wait in {@code directory/pending/}, or in the shared store, until every
 * destination took them.
 */
public final class TlsRpt implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TlsRpt.class);
    static final Duration SNAPSHOT_INTERVAL = Duration.ofMinutes(5);
    static final Duration RUN_INTERVAL = Duration.ofHours(1);

    private final TlsRptCollector collector;
    private final CounterStore counters;
    private final ReportJob job;
    private final List<ScheduledFuture<?>> scheduled = new ArrayList<>();

    private TlsRpt(TlsRptCollector collector, CounterStore counters, ReportJob job) {
        this.collector = collector;
        this.counters = counters;
        this.job = job;
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

    /** Writes the counters to disk now (or, with {@link Builder#sharedStore}, adds them to the shared store). */
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

    /** Stops the scheduled tasks and writes a last snapshot. The HTTP client stays its owner's to shut down. */
    @Override
    public synchronized void close() {
        scheduled.forEach(f -> f.cancel(false));
        scheduled.clear();
        counters.close();
    }

    /** Each option once; {@link #build()} checks them all and loads the saved counters. */
    public static final class Builder {
        private Path directory;
        private DnsResolver resolver;
        private OkHttpClient httpClient;
        private MessageIntake intake;
        private String organization;
        private String contact;
        private String submitterDomain;
        private String from;
        private String sendingMtaIp;
        private X509TrustManager trustManager;
        private Clock clock = Clock.systemUTC();
        private Duration httpTimeout = Duration.ofSeconds(30);
        private CounterStore.Factory sharedStore;

        private Builder() {
        }

        /** Where counters and pending reports live, for example {@code <spool.dir>/tlsrpt}; created if missing. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory);
            return this;
        }

        /** Looks up {@code _smtp._tls.<domain>}. */
        public Builder resolver(DnsResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver);
            return this;
        }

        /**
         * The relay's base HTTP client, which must resolve host names through the relay's resolver: HTTPS uploads
         * use a client derived from it ({@link OkHttpClient#newBuilder()}: this builder's trust, timeouts, no
         * redirects) and share its connection pool and threads. Its owner shuts it down, after {@link #close()}.
         */
        public Builder httpClient(OkHttpClient base) {
            this.httpClient = Objects.requireNonNull(base);
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
         * Counts go to a store shared by several relay nodes (the queue's PostgreSQL database, docs/cluster.md)
         * instead of {@code directory/counters.json}, summed with every other node's, and each daily report is
         * built by one node only. Built reports are stored there too, and delivered by whichever node gets to them
         * first; reports an earlier version left in {@code directory/pending/} are still delivered from there.
         * The store is opened by {@link #build()} and closed by {@link TlsRpt#close()}.
         */
        public Builder sharedStore(CounterStore.Factory store) {
            this.sharedStore = Objects.requireNonNull(store);
            return this;
        }

        public TlsRpt build() {
            require(directory, "directory");
            require(resolver, "resolver");
            require(httpClient, "httpClient");
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
                CounterStore counters = sharedStore != null
                        ? sharedStore.open(collector, clock, httpTimeout.multipliedBy(2))
                        : new FileCounterStore(collector, directory, pending, json);
                // With a shared store, pending/ still holds what an earlier version built here: deliver it too.
                List<ReportOutbox> outboxes = counters.outbox() == pending
                        ? List.of(pending) : List.of(counters.outbox(), pending);
                ReportSenders senders = ReportSenders.create(intake, sender, submitterDomain, httpClient,
                        trustManager != null ? trustManager : TrustStores.jdkDefault(), httpTimeout, clock);
                ReportJob job = new ReportJob(counters, outboxes, resolver, senders,
                        new ReportJob.Reporter(organization, contact, submitterDomain), clock, json);
                return new TlsRpt(collector, counters, job);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot use TLS-RPT directory " + directory
                        + " (check that it exists and is writable by the relay)", e);
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
