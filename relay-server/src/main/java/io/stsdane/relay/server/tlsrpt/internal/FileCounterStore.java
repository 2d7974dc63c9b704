package io.stsdane.relay.server.tlsrpt.internal;

import java.io.IOException;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-node store: the collector's own counters, saved to {@code counters.json}. This node builds every
 * report, so a claim always succeeds. Thread-safe.
 */
public final class FileCounterStore implements CounterStore {

    private static final Logger log = LoggerFactory.getLogger(FileCounterStore.class);

    private final TlsRptCollector collector;
    private final SnapshotStore snapshots;

    /** Restores the saved counters into {@code collector}. */
    public FileCounterStore(TlsRptCollector collector, SnapshotStore snapshots) {
        this.collector = collector;
        this.snapshots = snapshots;
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

    @Override
    public boolean claim(LocalDate day, String domain) {
        return true;
    }

    @Override
    public void release(LocalDate day, String domain) {
        // Nothing to give back: the counts stay until a run stores the report.
    }

    @Override
    public void markSent(LocalDate day, String domain) {
        collector.remove(day, domain);
    }

    @Override
    public void close() {
        save();
    }
}
