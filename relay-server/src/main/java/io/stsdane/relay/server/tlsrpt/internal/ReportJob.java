package io.stsdane.relay.server.tlsrpt.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.util.DomainNames;
import io.stsdane.relay.server.tlsrpt.RunSummary;
import io.stsdane.relay.server.tlsrpt.TlsRptRecord;
import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the report job: turns the counts of every closed UTC day into stored reports (one per policy
 * domain that publishes a TLS-RPT record), then hands every stored report to its remaining destinations.
 *
 * <p>Order matters for crash safety: a report is stored (fsync) before its counters are forgotten, and it is
 * deleted only after every destination took it. Thread-safe: runs are serialized.
 */
public final class ReportJob {

    private static final Logger log = LoggerFactory.getLogger(ReportJob.class);
    /** Sessions counted just before midnight may still be arriving when the day closes. */
    private static final Duration GRACE = Duration.ofMinutes(5);
    /** Past this, undeliverable counts and reports are dropped: a stale report helps nobody. */
    private static final Duration MAX_AGE = Duration.ofDays(3);
    private static final Duration DNS_TIMEOUT = Duration.ofSeconds(30);

    /** Who is reporting, as written into every report. */
    public record Reporter(String organization, String contact, String submitter) {
    }

    private final CounterStore counters;
    private final PendingStore pending;
    private final DnsResolver resolver;
    private final Map<String, ReportSender> senders;
    private final Reporter reporter;
    private final Clock clock;
    private final ObjectMapper json;
    private final SecureRandom random = new SecureRandom();

    public ReportJob(CounterStore counters, PendingStore pending, DnsResolver resolver,
            Map<String, ReportSender> senders, Reporter reporter, Clock clock, ObjectMapper json) {
        this.counters = counters;
        this.pending = pending;
        this.resolver = resolver;
        this.senders = Map.copyOf(senders);
        this.reporter = reporter;
        this.clock = clock;
        this.json = json;
    }

    public synchronized RunSummary run() {
        Instant now = clock.instant();
        counters.save(); // a shared store must hold this node's counts before any node builds a report
        int built = buildReports(now);
        counters.save();
        return deliverPending(now, built);
    }

    private int buildReports(Instant now) {
        int built = 0;
        for (LocalDate day : counters.days()) {
            Instant closedAt = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plus(GRACE);
            if (now.isBefore(closedAt)) {
                continue;
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
        if (!isSafeDomain(domain) || pending.exists(day, domain)) {
            // Unusable name, or stored before a crash that kept the counters: nothing (more) to report.
            counters.markSent(day, domain);
            return false;
        }
        if (!counters.claim(day, domain)) {
            return false; // another relay node builds this one
        }
        TlsRptLookupOutcome outcome = lookup(domain);
        if (outcome instanceof TlsRptLookupOutcome.Found found) {
            try {
                pending.save(report(day, domain, counts, found.record()));
            } catch (IOException e) {
                log.error("TLS-RPT: cannot store the report for {} on {} (kept for the next run): {}",
                        domain, day, e.toString());
                counters.release(day, domain);
                return false;
            }
            counters.markSent(day, domain);
            return true;
        }
        if (outcome instanceof TlsRptLookupOutcome.Absent absent) {
            log.debug("TLS-RPT: {} takes no reports: {}", domain, absent.reason());
            counters.markSent(day, domain);
        } else if (expired) {
            log.warn("TLS-RPT: giving up on the {} report for {}: {}", day, domain,
                    ((TlsRptLookupOutcome.TryLater) outcome).reason());
            counters.markSent(day, domain);
        } else {
            log.warn("TLS-RPT: cannot look up the report policy of {} (will retry): {}", domain,
                    ((TlsRptLookupOutcome.TryLater) outcome).reason());
            counters.release(day, domain);
        }
        return false;
    }

    private PendingReport report(LocalDate day, String domain, List<PolicyCounts> counts, TlsRptRecord record) {
        String uniqueId = day.toString().replace("-", "") + HexFormat.of().formatHex(randomBytes());
        String reportId = uniqueId + "@" + reporter.submitter();
        ReportJson.Header header = new ReportJson.Header(reporter.organization(), reporter.contact(), reportId,
                PendingReport.startOf(day), PendingReport.endOf(day));
        return new PendingReport(uniqueId, reportId, domain, day.toString(),
                record.rua().stream().map(URI::toString).toList(), ReportJson.gzipped(json, header, counts));
    }

    private byte[] randomBytes() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return b;
    }

    private TlsRptLookupOutcome lookup(String domain) {
        String name = "_smtp._tls." + domain;
        DnsResult<String> result;
        try {
            result = resolver.txt(name).toCompletableFuture().get(DNS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TlsRptLookupOutcome.TryLater(name + ": interrupted");
        } catch (Exception e) {
            return new TlsRptLookupOutcome.TryLater(name + ": " + e);
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
        List<PendingReport> reports;
        try {
            reports = pending.list();
        } catch (IOException e) {
            log.error("TLS-RPT: cannot list pending reports: {}", e.toString());
            return new RunSummary(built, 0, 0, 0);
        }
        int delivered = 0;
        int failed = 0;
        int stillPending = 0;
        for (PendingReport report : reports) {
            List<String> remaining = new ArrayList<>();
            for (String destination : report.destinations()) {
                SendResult result = send(report, destination);
                if (result instanceof SendResult.Delivered) {
                    delivered++;
                    log.info("TLS-RPT: report {} for {} handed to {}", report.reportId(), report.policyDomain(),
                            destination);
                    continue;
                }
                failed++;
                if (result instanceof SendResult.Retry r) {
                    remaining.add(destination);
                    log.warn("TLS-RPT: report for {} not delivered to {} (will retry): {}", report.policyDomain(),
                            destination, r.reason());
                } else {
                    log.warn("TLS-RPT: report for {} cannot be delivered to {}: {}", report.policyDomain(),
                            destination, ((SendResult.Rejected) result).reason());
                }
            }
            if (update(report, remaining, now)) {
                stillPending++;
            }
        }
        return new RunSummary(built, delivered, failed, stillPending);
    }

    /** Stores what is left of a report; returns whether it is still pending. */
    private boolean update(PendingReport report, List<String> remaining, Instant now) {
        boolean giveUp = !remaining.isEmpty() && now.isAfter(report.end().plus(MAX_AGE));
        try {
            if (remaining.isEmpty() || giveUp) {
                if (giveUp) {
                    log.warn("TLS-RPT: giving up on report {} for {}; undelivered to {}", report.reportId(),
                            report.policyDomain(), remaining);
                }
                pending.delete(report);
                return false;
            }
            if (remaining.size() != report.destinations().size()) {
                pending.save(report.withDestinations(remaining));
            }
            return true;
        } catch (IOException e) {
            log.error("TLS-RPT: cannot update pending report {}: {}", report.reportId(), e.toString());
            return true;
        }
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
