package io.stsdane.relay.queue.internal;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Backs off a destination domain as a whole: after {@code threshold} consecutive deliveries to it in which
 * every recipient was deferred, the domain is blocked for a retry delay that grows with each further
 * failure; messages for it are then rescheduled without an attempt, so a dead domain does not eat the
 * delivery slots of healthy ones. Any delivered or bounced recipient shows the domain is reachable and
 * clears it. In memory only: after a restart every domain gets a fresh try. Thread-safe.
 */
public final class DomainBackoff {

    private record Failures(int consecutive, Instant blockedUntil) {
    }

    private final int threshold;
    private final RetryPolicy retry;
    private final Map<String, Failures> domains = new ConcurrentHashMap<>();

    public DomainBackoff(int threshold, RetryPolicy retry) {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1");
        }
        this.threshold = threshold;
        this.retry = retry;
    }

    /** When the domain is blocked at {@code now}, until when. */
    public Optional<Instant> blockedUntil(String domain, Instant now) {
        Failures f = domains.get(domain);
        return f == null || f.blockedUntil() == null || !now.isBefore(f.blockedUntil())
                ? Optional.empty() : Optional.of(f.blockedUntil());
    }

    /** The domains blocked at {@code now}, with the end of their block. */
    public Map<String, Instant> blocked(Instant now) {
        Map<String, Instant> out = new java.util.TreeMap<>();
        domains.forEach((d, f) -> blockedUntil(d, now).ifPresent(until -> out.put(d, until)));
        return out;
    }

    /** Forgets every failure: each domain gets its next attempt ({@code relay queue flush --ignore-backoff}). */
    public void clear() {
        domains.clear();
    }

    public void record(String domain, boolean allDeferred, Instant now) {
        if (!allDeferred) {
            domains.remove(domain);
            return;
        }
        domains.compute(domain, (d, f) -> {
            int n = f == null ? 1 : f.consecutive() + 1;
            Instant until = n >= threshold ? now.plus(retry.delay(n - threshold + 1)) : null;
            return new Failures(n, until);
        });
    }
}
