package io.stsdane.relay.server.tlsrpt.internal;

import java.net.URI;

/** Hands a report to one {@code rua} destination of one scheme. Called from the report job only. */
public interface ReportSender {

    SendResult send(PendingReport report, URI destination);
}
