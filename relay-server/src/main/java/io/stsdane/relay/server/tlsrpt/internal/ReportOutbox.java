package io.stsdane.relay.server.tlsrpt.internal;

import java.util.List;

/**
 * Built reports waiting to be handed to their destinations: this node's {@code pending/} directory
 * ({@link PendingStore}), or the database shared by several relay nodes, where any node may deliver a report and
 * each destination must be served by one node at a time. Implementations are thread-safe and never throw.
 */
public interface ReportOutbox {

    /** How a destination was finished with. */
    enum Done {
        /** The destination took the report. */
        DELIVERED,
        /** The destination can never take it (for example a malformed address). */
        REJECTED,
        /** Still failing when the report became too old to matter. */
        GAVE_UP
    }

    /** The stored reports, each with the destinations still to serve that no other node is serving right now. */
    List<PendingReport> due();

    /**
     * Reserves {@code destination} of {@code report} for this node before it sends: false when another node
     * holds it or it was finished meanwhile. A node that dies holding it gives it up when its lease runs out.
     */
    boolean lease(PendingReport report, String destination);

    /** The destination is done with: no node tries it again. */
    void finished(PendingReport report, String destination, Done done);

    /** The destination failed for now: a later run (of any node) tries it again. */
    void retryLater(PendingReport report, String destination, String reason);
}
