package io.stsdane.relay.tlsrpt;

/**
 * What one run of the report job did.
 *
 * @param reportsBuilt reports built for closed days in this run
 * @param deliveries destinations that took a report (queued, or HTTP 2xx)
 * @param failures destination attempts that failed (retried next run unless permanent)
 * @param pending reports still waiting for at least one destination
 */
public record RunSummary(int reportsBuilt, int deliveries, int failures, int pending) {
}
