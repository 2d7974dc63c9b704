package io.stsdane.relay.sts.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.stsdane.relay.core.tls.TlsFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Rate limit for failed policy fetches, per domain (RFC 8461 §5.1 asks senders to limit how often they retry):
 * after a failure no fetch is attempted for {@code initial}, doubling with each consecutive failure up to
 * {@code max}. A success clears the domain. Thread-safe.
 */
public final class FetchBackoff {

    /** The last failure of a domain and when the next attempt is allowed. */
    public record Failure(TlsFailure failure, String reason, Instant at, Instant retryAfter, int consecutive) {
    }

    private final Duration initial;
    private final Duration max;
    private final Cache<String, Failure> failures;

    public FetchBackoff(Duration initial, Duration max, long maxDomains) {
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("fetch backoff needs 0 <= initial <= max, got " + initial + ", " + max);
        }
        this.initial = initial;
        this.max = max;
        this.failures = Caffeine.newBuilder().maximumSize(maxDomains).build();
    }

    /** The failure that still blocks a fetch for {@code domain} at {@code now}, if any. */
    public Optional<Failure> blocking(String domain, Instant now) {
        Failure f = failures.getIfPresent(domain);
        return f != null && now.isBefore(f.retryAfter()) ? Optional.of(f) : Optional.empty();
    }

    public Failure recordFailure(String domain, TlsFailure failure, String reason, Instant now) {
        return failures.asMap().compute(domain, (d, previous) -> {
            int n = previous == null ? 1 : previous.consecutive() + 1;
            Duration wait = initial.multipliedBy(1L << Math.min(n - 1, 20));
            Duration capped = wait.compareTo(max) > 0 ? max : wait;
            return new Failure(failure, reason, now, now.plus(capped), n);
        });
    }

    public void recordSuccess(String domain) {
        failures.invalidate(domain);
    }
}
