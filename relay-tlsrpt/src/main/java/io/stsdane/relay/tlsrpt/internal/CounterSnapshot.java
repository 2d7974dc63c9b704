package io.stsdane.relay.tlsrpt.internal;

import io.stsdane.relay.tlsrpt.PolicyCounts;
import java.util.List;
import java.util.Map;

/**
 * The persisted form of the collector: counts per UTC day ({@code yyyy-MM-dd}).
 *
 * @param version the file format version
 * @param days the counts of each day
 */
record CounterSnapshot(int version, Map<String, List<PolicyCounts>> days) {

    static final int VERSION = 1;

    CounterSnapshot {
        days = Map.copyOf(days);
    }

    static CounterSnapshot empty() {
        return new CounterSnapshot(VERSION, Map.of());
    }
}
