package io.stsdane.relay.tlsrpt;

import java.util.List;

/**
 * The counts of one policy entry at one moment: what a snapshot stores and what a report is built from.
 *
 * @param key the policy
 * @param success sessions that passed
 * @param failure sessions that failed, including those beyond the failure-details cap
 * @param failures the failure details
 */
public record PolicyCounts(PolicyKey key, long success, long failure, List<FailureCount> failures) {

    public PolicyCounts {
        failures = List.copyOf(failures);
    }

    /**
     * @param key what failed where
     * @param count how many sessions
     * @param reason the last failure message seen, for {@code failure-reason-code}; may be null
     */
    public record FailureCount(FailureKey key, long count, String reason) {
    }
}
