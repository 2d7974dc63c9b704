package io.stsdane.relay.server.tlsrpt.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * A built report waiting to be handed to each of its destinations. Stored until every destination took it
 * (or it is too old to matter), so that a failed delivery is retried on the next run, also after a restart.
 *
 * @param uniqueId letters and digits; names the report file and is the local part of the report id
 * @param reportId the RFC 8460 {@code report-id}
 * @param policyDomain the domain the report is about
 * @param day the UTC day it covers ({@code yyyy-MM-dd})
 * @param destinations the {@code rua} URIs not yet delivered to
 * @param gzip the gzip-compressed JSON report
 */
public record PendingReport(String uniqueId, String reportId, String policyDomain, String day,
        List<String> destinations, byte[] gzip) {

    public PendingReport {
        destinations = List.copyOf(destinations);
    }

    public PendingReport withDestinations(List<String> remaining) {
        return new PendingReport(uniqueId, reportId, policyDomain, day, remaining, gzip);
    }

    /** The first second of the day covered (RFC 8460 §4.4 {@code start-datetime}). */
    public Instant start() {
        return LocalDate.parse(day).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** The last second of the day covered ({@code end-datetime}, as in the RFC's example). */
    public Instant end() {
        return start().plusSeconds(86_399);
    }
}
