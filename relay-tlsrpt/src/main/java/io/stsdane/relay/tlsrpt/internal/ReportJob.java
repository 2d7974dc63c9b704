package io.stsdane.relay.tlsrpt.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.util.DomainNames;
import io.stsdane.relay.core.util.Futures;
import io.stsdane.relay.core.util.LogText;
import io.stsdane.relay.core.util.Throwables;
import io.stsdane.relay.tlsrpt.CounterStore;
import io.stsdane.relay.tlsrpt.PendingReport;
import io.stsdane.relay.tlsrpt.PolicyCounts;
import io.stsdane.relay.tlsrpt.ReportOutbox;
import io.stsdane.relay.tlsrpt.RunSummary;
import io.stsdane.relay.tlsrpt.TlsRptRecord;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the report job: turns the counts of every closed UTC day into stored reports (one per policy
 * domain that publishes a TLS-RPT record), then hands every stored report to its remaining destinations.
 *
 * <p>Order matters for crash safety: a report is stored before its counters are forgotten (in one transaction
 * with a shared database), and each destination is marked done right after it took the report. A crash in
 * between sends that destination the same report again; its {@code report-id} is the same
 * ({@link #uniqueId}), so the receiver can tell. Thread-safe: runs are serialized.
 */
public final class ReportJob {

    private static final Logger log = LoggerFactory.getLogger(ReportJob.class);
    /** Sessions counted just before midnight may still be arriving when the day closes. */
    private static final Duration GRACE = Duration.ofMinutes(5);
    /** Past this, undeliverable counts and reports are dropped: a stale report helps nobody. */
    private static final Duration MAX_AGE = Duration.ofDays(3);
    /** Report bookkeeping (which day was reported, delivered reports) is kept this long, then purged. */
    static final Period RETENTION = Period.ofDays(30);
    private static final Duration DNS_TIMEOUT = Duration.ofSeconds(30);

    /** Who is reporting, as written into every report. */
    public record Reporter(String organization, String contact, String submitter) {
    }

    private final CounterStore counters;
    private final List<ReportOutbox> outboxes;
    private final DnsResolver resolver;
    private final Map<String, ReportSender> senders;
    private final Reporter reporter;
    private final Clock clock;
    private final ObjectMapper json;

    /** @param outboxes where built reports wait: the one {@code counters} stores into first, then older ones */
    public ReportJob(CounterStore counters, List<ReportOutbox> outboxes, DnsResolver resolver,
            ReportSenders senders, Reporter reporter, Clock clock, ObjectMapper json) {
        this.counters = counters;
        this.outboxes = List.copyOf(outboxes);
        this.resolver = resolver;
        this.senders = senders.byScheme();
        this.reporter = reporter;
        this.clock = clock;
        this.json = json;
    }

    public synchronized RunSummary run() {
        Instant now = clock.instant();
        counters.save(); // a shared store must hold this node's counts before any node builds a report
        LocalDate oldest = LocalDate.ofInstant(now, ZoneOffset.UTC).minus(RETENTION);
        counters.purgeBefore(oldest);
        int built = buildReports(now, oldest);
        counters.save();
        return deliverPending(now, built);
    }

    private int buildReports(Instant now, LocalDate oldest) {
        int built = 0;
        for (LocalDate day : counters.days()) {
            Instant closedAt = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plus(GRACE);
            if (now.isBefore(closedAt) || day.isBefore(oldest)) {
                continue; // not over yet, or saved by a node after the purge: purged next run
            }
            boolean expired = now.isAfter(closedAt.plus(MAX_AGE));
            for (Map.Entry<String, List<PolicyCounts>> e : counters.countsByDomain(day).entrySet()) {
                if (buildReport(day, e.getKey(), e.getValue(), expired)) {
                    built++;
                }
            }
        }
        return built;
    }

    /** Returns true when a report was stored; forgets the counts unless a retry may still succeed. */
    private boolean buildReport(LocalDate day, String domain, List<PolicyCounts> counts, boolean expired) {
        if (!counters.claim(day, domain)) {
            return false; // another relay node builds this one, or it is built already
        }
        if (!isSafeDomain(domain)) {
            counters.drop(day, domain);
            return false;
        }
        TlsRptLookupOutcome outcome = lookup(domain);
        if (outcome instanceof TlsRptLookupOutcome.Found found) {
            if (counters.store(report(day, domain, counts, found.record()))) {
                return true;
            }
            counters.release(day, domain);
            return false;
        }
        if (outcome instanceof TlsRptLookupOutcome.Absent absent) {
            log.debug("TLS-RPT: {} takes no reports: {}", domain, absent.reason());
            counters.drop(day, domain);
        } else if (expired) {
            log.warn("TLS-RPT: giving up on the {} report for {}: {}", day, domain,
                    ((TlsRptLookupOutcome.TryLater) outcome).reason());
            counters.drop(day, domain);
        } else {
            log.warn("TLS-RPT: cannot look up the report policy of {} (will retry): {}", domain,
                    ((TlsRptLookupOutcome.TryLater) outcome).reason());
            counters.release(day, domain);
        }
        return false;
    }

    private PendingReport report(LocalDate day, String domain, List<PolicyCounts> counts, TlsRptRecord record) {
        String uniqueId = uniqueId(reporter, day, domain);
        String reportId = uniqueId + "@" + reporter.submitter();
        ReportJson.Header header = new ReportJson.Header(reporter.organization(), reporter.contact(), reportId,
                PendingReport.startOf(day), PendingReport.endOf(day));
        return new PendingReport(uniqueId, reportId, reporter.submitter(), domain, day.toString(),
                record.rua().stream().map(URI::toString).toList(), ReportJson.gzipped(json, header, counts));
    }

    /**
     * The unique id of RFC 8460 §5.1 (attachment name), and with {@code @submitter} the §4.4 {@code report-id}:
     * the day and a hash of who reports (organization, contact) on which policy domain. Not random, so that the
     * same report built or sent again carries the same id and the receiver can discard the copy; not made from
     * the counts, so that a rebuild after a crash does too. Two relays that report on their own carry their own
     * submitter (host name) in the id, so their reports are never mistaken for copies of each other.
     */
    static String uniqueId(Reporter reporter, LocalDate day, String domain) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(String.join("\n", reporter.organization(),
                    reporter.contact(), day.toString(), domain).getBytes(StandardCharsets.UTF_8));
            return day.toString().replace("-", "") + HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    private TlsRptLookupOutcome lookup(String domain) {
        String name = "_smtp._tls." + domain;
        DnsResult<String> result;
        try {
            result = Futures.await(resolver.txt(name), DNS_TIMEOUT);
        } catch (TimeoutException e) {
            return new TlsRptLookupOutcome.TryLater(name + ": " + e.getMessage());
        } catch (RuntimeException e) {
            return new TlsRptLookupOutcome.TryLater(name + ": " + Throwables.rootMessage(e));
        }
        if (!result.isUsable()) {
            return new TlsRptLookupOutcome.TryLater(name + ": " + result.status() + " " + result.security() + " "
                    + result.reason());
        }
        if (result.status() != DnsStatus.NOERROR) {
            return new TlsRptLookupOutcome.Absent(name + ": " + result.status());
        }
        TlsRptRecord.Lookup parsed = TlsRptRecord.parse(result.records());
        if (parsed instanceof TlsRptRecord.Lookup.Found f) {
            return new TlsRptLookupOutcome.Found(f.record());
        }
        return new TlsRptLookupOutcome.Absent(name + ": " + ((TlsRptRecord.Lookup.Absent) parsed).reason());
    }

    private RunSummary deliverPending(Instant now, int built) {
        int delivered = 0;
        int failed = 0;
        int stillPending = 0;
        for (ReportOutbox outbox : outboxes) {
            for (PendingReport report : outbox.due(now)) {
                boolean retry = false;
                Instant giveUpAt = report.end().plus(MAX_AGE);
                for (String destination : report.destinations()) {
                    OptionalInt attempt = outbox.lease(report, destination, now);
                    if (attempt.isEmpty()) {
                        continue; // another node is sending it right now, or just failed with it
                    }
                    SendResult result = send(report, destination);
                    if (result instanceof SendResult.Delivered) {
                        // Marked at once: a crash before this line sends the same report-id again.
                        outbox.finished(report, destination, ReportOutbox.Done.DELIVERED);
                        delivered++;
                        log.info("TLS-RPT: report {} for {} handed to {}", report.reportId(), report.policyDomain(),
                                destination);
                        continue;
                    }
                    failed++;
                    if (result instanceof SendResult.Rejected rejected) {
                        log.warn("TLS-RPT: report for {} cannot be delivered to {}: {}", report.policyDomain(),
                                destination, LogText.escape(rejected.reason()));
                        outbox.finished(report, destination, ReportOutbox.Done.REJECTED);
                    } else if (!now.isBefore(giveUpAt)) { // the backoff makes the last attempt at giveUpAt
                        log.warn("TLS-RPT: giving up on report {} for {}; undelivered to {}: {}", report.reportId(),
                                report.policyDomain(), destination,
                                LogText.escape(((SendResult.Retry) result).reason()));
                        outbox.finished(report, destination, ReportOutbox.Done.GAVE_UP);
                    } else {
                        String reason = ((SendResult.Retry) result).reason();
                        Instant next = RetryBackoff.nextAttempt(now, attempt.getAsInt(), giveUpAt);
                        log.warn("TLS-RPT: report for {} not delivered to {} (attempt {}, next from {}): {}",
                                report.policyDomain(), destination, attempt.getAsInt(), next, LogText.escape(reason));
                        outbox.retryLater(report, destination, reason, next);
                        retry = true;
                    }
                }
                if (retry) {
                    stillPending++;
                }
            }
        }
        return new RunSummary(built, delivered, failed, stillPending);
    }

    private SendResult send(PendingReport report, String destination) {
        URI uri = URI.create(destination);
        ReportSender sender = senders.get(uri.getScheme().toLowerCase(Locale.ROOT));
        if (sender == null) {
            return new SendResult.Rejected("no sender for " + uri.getScheme());
        }
        try {
            return sender.send(report, uri);
        } catch (RuntimeException e) {
            return new SendResult.Retry(e.toString());
        }
    }

    private static boolean isSafeDomain(String domain) {
        try {
            return DomainNames.canonical(domain).equals(domain);
        } catch (IllegalArgumentException e) {
            log.warn("TLS-RPT: not reporting on '{}': not a domain name", domain);
            return false;
        }
    }

    /** The TXT lookup, with DNS trouble kept apart from "no record". */
    private sealed interface TlsRptLookupOutcome {
        record Found(TlsRptRecord record) implements TlsRptLookupOutcome { }

        record Absent(String reason) implements TlsRptLookupOutcome { }

        record TryLater(String reason) implements TlsRptLookupOutcome { }
    }
}
