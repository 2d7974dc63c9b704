package io.stsdane.relay.tlsrpt.internal;

import io.stsdane.relay.tlsrpt.PendingReport;
import java.net.URI;

/** Hands a report to one {@code rua} destination of one scheme. Called from the report job only. */
interface ReportSender {

    SendResult send(PendingReport report, URI destination);
}
