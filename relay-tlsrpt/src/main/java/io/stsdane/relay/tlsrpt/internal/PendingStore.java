package io.stsdane.relay.tlsrpt.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stsdane.relay.core.util.DurableFiles;
import io.stsdane.relay.core.util.OwnerGroupFiles;
import io.stsdane.relay.tlsrpt.PendingReport;
import io.stsdane.relay.tlsrpt.ReportDestination;
import io.stsdane.relay.tlsrpt.ReportOutbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Built reports not yet delivered everywhere, one file per day and domain ({@code pending/<day>_<domain>.json}).
 * One file per day and domain also makes report building idempotent: after a crash between storing a report
 * and forgetting its counters, the counters are dropped instead of reported twice. Only this node reads the
 * directory, so {@link #lease} succeeds unless the destination waits for its next attempt. Those schedules are
 * kept in memory only: after a restart every destination is tried at the first run, then backs off again.
 * Confined to the report job.
 */
public final class PendingStore implements ReportOutbox {

    private static final Logger log = LoggerFactory.getLogger(PendingStore.class);

    private final Path directory;
    private final ObjectMapper json;
    /** Destinations that failed for now: how often they were tried and when they may be tried again. */
    private final Map<ReportDestination, Backoff> backoffs = new HashMap<>();

    private record Backoff(int attempts, Instant nextAttempt) {
    }

    public PendingStore(Path directory, ObjectMapper json) throws IOException {
        this.directory = OwnerGroupFiles.createDirectories(directory);
        this.json = json;
    }

    boolean exists(LocalDate day, String domain) {
        return Files.exists(file(day.toString(), domain));
    }

    void save(PendingReport report) throws IOException {
        DurableFiles.replace(file(report.day(), report.policyDomain()), json.writeValueAsBytes(report));
    }

    /** Every stored report with its due destinations; unreadable files are reported and skipped (left in place). */
    @Override
    public List<PendingReport> due(Instant now) {
        List<PendingReport> reports = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                try {
                    PendingReport report = json.readValue(f.toFile(), PendingReport.class);
                    List<String> due = report.destinations().stream().filter(uri -> isDue(report, uri, now)).toList();
                    if (!due.isEmpty()) {
                        reports.add(report.withDestinations(due));
                    }
                } catch (IOException e) {
                    log.error("TLS-RPT: cannot read pending report {} ({}); remove or repair it", f, e.getMessage());
                }
            }
        } catch (IOException e) {
            log.error("TLS-RPT: cannot list pending reports in {}: {}", directory, e.toString());
        }
        return reports;
    }

    @Override
    public OptionalInt lease(PendingReport report, String destination, Instant now) {
        if (!isDue(report, destination, now)) {
            return OptionalInt.empty();
        }
        Backoff backoff = backoffs.get(ReportDestination.of(report, destination));
        return OptionalInt.of(backoff == null ? 1 : backoff.attempts() + 1);
    }

    private boolean isDue(PendingReport report, String destination, Instant now) {
        Backoff backoff = backoffs.get(ReportDestination.of(report, destination));
        return backoff == null || !backoff.nextAttempt().isAfter(now);
    }

    /** Rewrites the file without {@code destination} at once, so that a crash after this sends it no more. */
    @Override
    public void finished(PendingReport report, String destination, Done done) {
        backoffs.remove(ReportDestination.of(report, destination));
        Path file = file(report.day(), report.policyDomain());
        try {
            if (!Files.exists(file)) {
                return;
            }
            PendingReport stored = json.readValue(file.toFile(), PendingReport.class);
            List<String> remaining = new ArrayList<>(stored.destinations());
            remaining.remove(destination);
            if (remaining.isEmpty()) {
                DurableFiles.delete(file);
            } else {
                save(stored.withDestinations(remaining));
            }
        } catch (IOException e) {
            log.error("TLS-RPT: cannot update pending report {} (check space and permissions of {}): {}",
                    report.reportId(), directory, e.toString());
        }
    }

    /** The destination stays in the file; the first run from {@code nextAttempt} on tries it again. */
    @Override
    public void retryLater(PendingReport report, String destination, String reason, Instant nextAttempt) {
        backoffs.merge(ReportDestination.of(report, destination), new Backoff(1, nextAttempt),
                (old, fresh) -> new Backoff(old.attempts() + 1, nextAttempt));
    }

    /** The domain is canonical (checked by the caller), so it is safe as part of a file name. */
    private Path file(String day, String domain) {
        return directory.resolve(day + "_" + domain + ".json");
    }
}
