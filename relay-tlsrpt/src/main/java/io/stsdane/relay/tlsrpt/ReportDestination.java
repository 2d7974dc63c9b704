package io.stsdane.relay.tlsrpt;

/** One destination of one stored report: the key outboxes keep per-destination state under. Immutable. */
public record ReportDestination(String day, String domain, String uri) {

    public static ReportDestination of(PendingReport report, String uri) {
        return new ReportDestination(report.day(), report.policyDomain(), uri);
    }
}
