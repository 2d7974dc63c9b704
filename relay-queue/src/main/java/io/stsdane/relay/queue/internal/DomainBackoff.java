package io.stsdane.relay.queue.internal;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Backs off a destination domain as a whole (RFC 5321 §4.5.4.1: a client keeps a list of hosts it cannot
 * reach rather than retrying each queued message): after {@code threshold} consecutive deliveries to it that
 * the delivery agent reported as failures of the destination
 * ({@link io.stsdane.relay.core.delivery.OutcomeScope#DESTINATION}: every MX host refused, timed out or failed
 * its TLS policy, or routing failed), the domain is blocked for a retry delay that grows with each further
 * failure; messages for it are then rescheduled without an attempt, so a dead domain does not eat the
 * delivery slots of healthy ones. Any other result (a delivery, a bounce, a deferral of one recipient or one
 * message) shows that a host of the domain answered and clears it. In memory only: after a restart every
 * domain gets a fresh try. Thread-safe.
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

    /** One delivery to {@code domain} ended; {@code destinationFailed}: it failed as a whole. */
    public void record(String domain, boolean destinationFailed, Instant now) {
        if (!destinationFailed) {
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
