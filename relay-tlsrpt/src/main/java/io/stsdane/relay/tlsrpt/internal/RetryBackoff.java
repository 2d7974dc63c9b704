package io.stsdane.relay.tlsrpt.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * When a report destination that failed for now is tried again, whichever outbox holds it (RFC 8460 §5.4: retries
 * of a failed delivery ideally back off exponentially): 30 minutes after the first failed attempt, then twice as
 * long after each further one, at most 8 hours apart, and never later than the moment the report is given up, so
 * that a last attempt is still made then. Stateless and thread-safe.
 */
final class RetryBackoff {

    static final Duration FIRST = Duration.ofMinutes(30);
    static final Duration CAP = Duration.ofHours(8);

    private RetryBackoff() {
    }

    /**
     * @param failedAt when attempt number {@code attempt} (1 for the first) failed
     * @param giveUpAt when a failing destination is given up; the next attempt is never later
     */
    static Instant nextAttempt(Instant failedAt, int attempt, Instant giveUpAt) {
        Instant next = failedAt.plus(delay(attempt));
        return next.isAfter(giveUpAt) ? giveUpAt : next;
    }

    /** The wait after attempt number {@code attempt} failed: doubles from {@link #FIRST}, capped at {@link #CAP}. */
    static Duration delay(int attempt) {
        int doublings = Math.max(0, attempt - 1);
        // 2^5 * 30 minutes is past the cap already; stop before the shift could overflow.
        return doublings >= 5 ? CAP : min(FIRST.multipliedBy(1L << doublings), CAP);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
