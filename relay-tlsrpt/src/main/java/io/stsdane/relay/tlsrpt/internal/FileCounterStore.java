package io.stsdane.relay.tlsrpt.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stsdane.relay.tlsrpt.CounterStore;
import io.stsdane.relay.tlsrpt.PendingReport;
import io.stsdane.relay.tlsrpt.PolicyCounts;
import io.stsdane.relay.tlsrpt.ReportOutbox;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-node store: the collector's own counters, saved to {@code counters.json}, and built reports in
 * {@code pending/}. This node builds every report, so a claim succeeds unless the report is already stored.
 * Thread-safe.
 */
public final class FileCounterStore implements CounterStore {

    private static final Logger log = LoggerFactory.getLogger(FileCounterStore.class);

    private final TlsRptCollector collector;
    private final SnapshotStore snapshots;
    private final PendingStore pending;

    /** Restores the counters saved in {@code directory/counters.json} into {@code collector}. */
    public FileCounterStore(TlsRptCollector collector, Path directory, PendingStore pending, ObjectMapper json) {
        this.collector = collector;
        this.snapshots = new SnapshotStore(directory, json);
        this.pending = pending;
        collector.restore(snapshots.load());
    }

    @Override
    public void save() {
        try {
            snapshots.save(collector.snapshot());
        } catch (IOException e) {
            log.error("TLS-RPT: cannot save counters to disk (check space and permissions): {}", e.toString());
        }
    }

    @Override
    public List<LocalDate> days() {
        return collector.days();
    }

    @Override
    public Map<String, List<PolicyCounts>> countsByDomain(LocalDate day) {
        return collector.countsByDomain(day);
    }

    /** A stored report means the process died before saving counters without its day: drop them, don't resend. */
    @Override
    public boolean claim(LocalDate day, String domain) {
        if (pending.exists(day, domain)) {
            collector.remove(day, domain);
            return false;
        }
        return true;
    }

    @Override
    public void release(LocalDate day, String domain) {
        // Nothing to give back: the counts stay until a run stores the report.
    }

    /** The report file is written (fsync) before the counts are forgotten. */
    @Override
    public boolean store(PendingReport report) {
        try {
            pending.save(report);
        } catch (IOException e) {
            log.error("TLS-RPT: cannot store the report for {} on {} (kept for the next run; check space and"
                    + " permissions): {}", report.policyDomain(), report.day(), e.toString());
            return false;
        }
        collector.remove(LocalDate.parse(report.day()), report.policyDomain());
        return true;
    }

    @Override
    public void drop(LocalDate day, String domain) {
        collector.remove(day, domain);
    }

    @Override
    public void purgeBefore(LocalDate day) {
        collector.days().stream().filter(d -> d.isBefore(day)).forEach(collector::forget);
    }

    @Override
    public ReportOutbox outbox() {
        return pending;
    }

    @Override
    public void close() {
        save();
    }
}
