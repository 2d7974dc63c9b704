package io.stsdane.relay.tlsrpt;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * A built report waiting to be handed to each of its destinations. Stored until every destination took it
 * (or it is too old to matter), so that a failed delivery is retried on the next run, also after a restart.
 *
 * @param uniqueId letters and digits; the attachment's file name and the mail's Message-ID are made from it
 * @param reportId the RFC 8460 {@code report-id}
 * @param submitter the host name of the relay node that built the report (Subject, attachment name); null in
 *     files stored before it was recorded
 * @param policyDomain the domain the report is about
 * @param day the UTC day it covers ({@code yyyy-MM-dd})
 * @param destinations the {@code rua} URIs not yet delivered to
 * @param gzip the gzip-compressed JSON report
 */
public record PendingReport(String uniqueId, String reportId, String submitter, String policyDomain, String day,
        List<String> destinations, byte[] gzip) {

    public PendingReport {
        destinations = List.copyOf(destinations);
    }

    public PendingReport withDestinations(List<String> remaining) {
        return new PendingReport(uniqueId, reportId, submitter, policyDomain, day, remaining, gzip);
    }

    public Instant start() {
        return startOf(LocalDate.parse(day));
    }

    public Instant end() {
        return endOf(LocalDate.parse(day));
    }

    /** The first second of a UTC day (RFC 8460 §4.4 {@code start-datetime}). */
    public static Instant startOf(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** The last second of a UTC day ({@code end-datetime}, as in the RFC's example report). */
    public static Instant endOf(LocalDate day) {
        return startOf(day).plusSeconds(86_399);
    }
}
