package io.stsdane.relay.bench.internal;

import java.util.Arrays;

/**
 * Percentiles of a set of latencies, computed exactly by sorting (a few hundred thousand samples at most, so no
 * histogram is needed). Immutable.
 *
 * @param count number of samples
 * @param p50Millis median
 * @param p99Millis 99th percentile (nearest rank)
 * @param maxMillis largest sample
 */
public record Latencies(int count, double p50Millis, double p99Millis, double maxMillis) {

    public static final Latencies NONE = new Latencies(0, Double.NaN, Double.NaN, Double.NaN);

    /** Summarises {@code samples[0..count)}, expressed in {@code unitNanos} nanoseconds each; sorts that range. */
    public static Latencies of(long[] samples, int count, long unitNanos) {
        if (count == 0) {
            return NONE;
        }
        Arrays.sort(samples, 0, count);
        double toMillis = unitNanos / 1_000_000.0;
        return new Latencies(count,
                samples[rank(count, 0.50)] * toMillis,
                samples[rank(count, 0.99)] * toMillis,
                samples[count - 1] * toMillis);
    }

    /** Nearest-rank index: the smallest sample with at least {@code q} of all samples at or below it. */
    private static int rank(int count, double q) {
        return Math.max(0, (int) Math.ceil(q * count) - 1);
    }
}
