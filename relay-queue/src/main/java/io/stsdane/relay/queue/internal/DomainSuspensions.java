package io.stsdane.relay.queue.internal;

import io.stsdane.relay.queue.DomainSuspension;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination domains an operator suspended, for the scheduler (which postpones their recipients without an
 * attempt) and the admin API. Reads the {@link SuspensionStore} again at most every {@code refresh}, so that with
 * the shared PostgreSQL store a suspension made through another node applies here within that time; changes made
 * through this node apply at once. While the store cannot be read the last known suspensions stay in force.
 * Thread-safe.
 */
public final class DomainSuspensions {

    private static final Logger LOG = LoggerFactory.getLogger(DomainSuspensions.class);

    /** When a suspension without an end postpones a recipient: looked at again this much later. */
    static final Duration RECHECK = Duration.ofMinutes(1);

    private final SuspensionStore store;
    private final Clock clock;
    private final Duration refresh;
    private volatile Map<String, DomainSuspension> known = Map.of();
    private volatile Instant loadedAt = Instant.MIN;

    DomainSuspensions(SuspensionStore store, Clock clock, Duration refresh) {
        this.store = store;
        this.clock = clock;
        this.refresh = refresh;
    }

    /** Suspensions kept in the spool directory (file spool). */
    public static DomainSuspensions inSpool(java.nio.file.Path spoolDir, Clock clock) {
        return new DomainSuspensions(new FileSuspensionStore(spoolDir), clock, Duration.ofDays(365));
    }

    /** Suspensions in the queue's database, shared by every node; each node reads them every 5 seconds. */
    public static DomainSuspensions inDatabase(PostgresQueueStore store, Clock clock) {
        return new DomainSuspensions(new PgSuspensionStore(store.database()), clock, Duration.ofSeconds(5));
    }

    /** When a recipient of {@code domain} due at {@code now} may be tried; empty when it is not suspended. */
    Optional<Instant> postponedUntil(String domain, Instant now) {
        DomainSuspension s = current().get(domain);
        if (s == null || !s.activeAt(now)) {
            return Optional.empty();
        }
        Instant recheck = now.plus(RECHECK);
        return Optional.of(s.until() == null || s.until().isAfter(recheck) ? recheck : s.until());
    }

    /** The suspensions in force now, by domain. */
    public List<DomainSuspension> active() {
        Instant now = clock.instant();
        return current().values().stream().filter(s -> s.activeAt(now)).sorted(
                java.util.Comparator.comparing(DomainSuspension::domain)).toList();
    }

    public void suspend(DomainSuspension s) throws IOException {
        store.save(s);
        reload();
    }

    public boolean resume(String domain) throws IOException {
        boolean removed = store.delete(domain);
        reload();
        return removed;
    }

    private Map<String, DomainSuspension> current() {
        if (clock.instant().isAfter(loadedAt.plus(refresh))) {
            try {
                reload();
            } catch (IOException e) {
                LOG.warn("cannot read the destination suspensions, keeping the last known ones: {}", e.getMessage());
                loadedAt = clock.instant();
            }
        }
        return known;
    }

    private synchronized void reload() throws IOException {
        known = store.load().stream().collect(Collectors.toUnmodifiableMap(DomainSuspension::domain,
                Function.identity(), (a, b) -> b));
        loadedAt = clock.instant();
    }
}
