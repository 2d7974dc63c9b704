package io.stsdane.relay.tlsrpt.internal;

import io.stsdane.relay.tlsrpt.FailureKey;
import io.stsdane.relay.tlsrpt.PolicyCounts;
import io.stsdane.relay.tlsrpt.PolicyKey;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The live counters of one policy entry. Thread-safe and lock-free on the counting path (LongAdder).
 * Failure details are capped so that a hostile or huge MX set cannot grow memory without bound; sessions
 * past the cap still count in the failure total.
 */
final class PolicyCounters {

    static final int MAX_FAILURE_DETAILS = 1000;
    private static final int MAX_REASON_LENGTH = 200;

    private final LongAdder success = new LongAdder();
    private final LongAdder failure = new LongAdder();
    private final ConcurrentMap<FailureKey, FailureCounter> failures = new ConcurrentHashMap<>();

    void success(long n) {
        success.add(n);
    }

    void failure(FailureKey key, String reason, long n) {
        failure.add(n);
        FailureCounter counter = failures.get(key);
        if (counter == null) {
            if (failures.size() >= MAX_FAILURE_DETAILS) {
                return;
            }
            counter = failures.computeIfAbsent(key, k -> new FailureCounter());
        }
        counter.count.add(n);
        if (reason != null && !reason.isBlank()) {
            counter.reason = clean(reason);
        }
    }

    /** Failures beyond the detail cap (only when restoring a snapshot). */
    void failureWithoutDetail(long n) {
        if (n > 0) {
            failure.add(n);
        }
    }

    PolicyCounts counts(PolicyKey key) {
        return new PolicyCounts(key, success.sum(), failure.sum(), failures.entrySet().stream()
                .map(e -> new PolicyCounts.FailureCount(e.getKey(), e.getValue().count.sum(), e.getValue().reason))
                .toList());
    }

    /** Keeps the reason printable and short: it ends up in a report sent to a third party. */
    private static String clean(String reason) {
        String s = reason.replaceAll("[\\p{Cntrl}]", " ").strip();
        return s.length() <= MAX_REASON_LENGTH ? s : s.substring(0, MAX_REASON_LENGTH);
    }

    private static final class FailureCounter {
        final LongAdder count = new LongAdder();
        volatile String reason;
    }
}
