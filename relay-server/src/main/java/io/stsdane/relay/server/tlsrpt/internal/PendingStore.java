package io.stsdane.relay.server.tlsrpt.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Built reports not yet delivered everywhere, one file per day and domain ({@code pending/<day>_<domain>.json}).
 * One file per day and domain also makes report building idempotent: after a crash between storing a report
 * and forgetting its counters, the counters are dropped instead of reported twice. Confined to the report job;
 * only this node reads the directory, so {@link #lease} always succeeds.
 */
public final class PendingStore implements ReportOutbox {

    private static final Logger log = LoggerFactory.getLogger(PendingStore.class);

    private final Path directory;
    private final ObjectMapper json;

    public PendingStore(Path directory, ObjectMapper json) throws IOException {
        this.directory = Files.createDirectories(directory);
        this.json = json;
    }

    public boolean exists(LocalDate day, String domain) {
        return Files.exists(file(day.toString(), domain));
    }

    public void save(PendingReport report) throws IOException {
        AtomicFiles.write(file(report.day(), report.policyDomain()), json.writeValueAsBytes(report));
    }

    /** Every stored report; unreadable files are reported and skipped (left in place for the operator). */
    @Override
    public List<PendingReport> due() {
        List<PendingReport> reports = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                try {
                    reports.add(json.readValue(f.toFile(), PendingReport.class));
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
    public boolean lease(PendingReport report, String destination) {
        return true;
    }

    /** Rewrites the file without {@code destination} at once, so that a crash after this sends it no more. */
    @Override
    public void finished(PendingReport report, String destination, Done done) {
        Path file = file(report.day(), report.policyDomain());
        try {
            if (!Files.exists(file)) {
                return;
            }
            PendingReport stored = json.readValue(file.toFile(), PendingReport.class);
            List<String> remaining = new ArrayList<>(stored.destinations());
            remaining.remove(destination);
            if (remaining.isEmpty()) {
                AtomicFiles.delete(file);
            } else {
                save(stored.withDestinations(remaining));
            }
        } catch (IOException e) {
            log.error("TLS-RPT: cannot update pending report {} (check space and permissions of {}): {}",
                    report.reportId(), directory, e.toString());
        }
    }

    @Override
    public void retryLater(PendingReport report, String destination, String reason) {
        // The destination stays in the file: the next run tries it again.
    }

    /** The domain is canonical (checked by the caller), so it is safe as part of a file name. */
    private Path file(String day, String domain) {
        return directory.resolve(day + "_" + domain + ".json");
    }
}
