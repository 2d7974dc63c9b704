package io.stsdane.relay.tlsrpt;

import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;

/**
 * Built reports waiting to be handed to their destinations: this node's {@code pending/} directory, or a store
 * shared by several relay nodes, where any node may deliver a report and each destination must be served by one
 * node at a time. Implementations are thread-safe and never throw.
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

    /**
     * The stored reports, each with the destinations still to serve that no other node is serving right now and
     * whose next attempt ({@link #retryLater}) is not after {@code now}.
     */
    List<PendingReport> due(Instant now);

    /**
     * Reserves {@code destination} of {@code report} for this node before it sends, and counts the attempt: the
     * number of this attempt (1 for the first), or empty when another node holds it, it was finished meanwhile or
     * its next attempt is after {@code now}. A node that dies holding it gives it up when its lease runs out.
     */
    OptionalInt lease(PendingReport report, String destination, Instant now);

    /** The destination is done with: no node tries it again. */
    void finished(PendingReport report, String destination, Done done);

    /**
     * The destination failed for now: the first run (of any node) from {@code nextAttempt} on tries it again
     * (the report job backs off exponentially, RFC 8460 §5.4).
     */
    void retryLater(PendingReport report, String destination, String reason, Instant nextAttempt);
}
