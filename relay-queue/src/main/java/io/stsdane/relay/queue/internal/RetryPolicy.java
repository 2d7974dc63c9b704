package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.util.Require;
import java.time.Duration;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Delay before the next attempt: {@code schedule[n-1]} after the n-th failed attempt, the last entry
 * repeating, stretched or shrunk by up to {@code jitter} (0.1 = ±10 %) so messages deferred together do not
 * come back together. Immutable; thread-safe if {@code random} is.
 */
public record RetryPolicy(List<Duration> schedule, double jitter, DoubleSupplier random) {

    public RetryPolicy {
        schedule = List.copyOf(schedule);
        if (schedule.isEmpty()) {
            throw new IllegalArgumentException("schedule needs at least one duration");
        }
        schedule.forEach(d -> Require.positive(d, "schedule"));
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("jitter must be in [0, 1): " + jitter);
        }
    }

    /** @param failedAttempts attempts failed so far, at least 1 */
    public Duration delay(int failedAttempts) {
        Duration base = schedule.get(Math.min(Math.max(failedAttempts, 1), schedule.size()) - 1);
        double factor = 1 + jitter * (2 * random.getAsDouble() - 1);
        return Duration.ofMillis(Math.round(base.toMillis() * factor));
    }
}
