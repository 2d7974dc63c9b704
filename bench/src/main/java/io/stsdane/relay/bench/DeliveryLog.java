package io.stsdane.relay.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the sink received: per run, each message number with its first arrival time and how often it arrived,
 * plus totals. Ids are {@code <run>-<n>} as the load generator writes them. Thread-safe: every sink connection
 * records into the same log.
 */
public final class DeliveryLog {

    /** @param firstMicros epoch microseconds of the first arrival; @param count arrivals so far */
    public record Arrival(long firstMicros, int count) {
        Arrival again() {
            return new Arrival(firstMicros, count + 1);
        }
    }

    private final Map<String, Map<Integer, Arrival>> runs = new ConcurrentHashMap<>();
    private final LongAdder messages = new LongAdder();
    private final LongAdder unidentified = new LongAdder();
    private final LongAdder connections = new LongAdder();
    private final LongAdder tlsSessions = new LongAdder();

    /** Records one accepted message; {@code benchId} may be null when the message carried no X-Bench-Id. */
    public void delivered(String benchId, long arrivedMicros) {
        messages.increment();
        int dash = benchId == null ? -1 : benchId.lastIndexOf('-');
        Integer n = dash < 0 ? null : parse(benchId.substring(dash + 1));
        if (n == null) {
            unidentified.increment();
            return;
        }
        runs.computeIfAbsent(benchId.substring(0, dash), r -> new ConcurrentHashMap<>())
                .merge(n, new Arrival(arrivedMicros, 1), (old, ignored) -> old.again());
    }

    public void connectionOpened() {
        connections.increment();
    }

    public void tlsEstablished() {
        tlsSessions.increment();
    }

    /** Distinct message numbers of {@code run} received so far. */
    public int distinct(String run) {
        Map<Integer, Arrival> m = runs.get(run);
        return m == null ? 0 : m.size();
    }

    /** A snapshot view of {@code run}'s arrivals (empty when unknown). */
    public Map<Integer, Arrival> arrivals(String run) {
        return Map.copyOf(runs.getOrDefault(run, Map.of()));
    }

    public long messages() {
        return messages.sum();
    }

    public long unidentified() {
        return unidentified.sum();
    }

    public long connections() {
        return connections.sum();
    }

    public long tlsSessions() {
        return tlsSessions.sum();
    }

    private static Integer parse(String s) {
        try {
            return Integer.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
