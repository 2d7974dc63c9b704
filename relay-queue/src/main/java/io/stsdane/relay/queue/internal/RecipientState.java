package io.stsdane.relay.queue.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The delivery state of one envelope recipient, persisted with the message. Immutable.
 *
 * @param status pending, delivered or bounced (expired recipients are bounced)
 * @param attempts delivery attempts made so far
 * @param nextAttempt when a pending recipient is due next
 * @param lastAttempt when it was last tried, or null
 * @param lastStatus enhanced status of the last attempt, or null
 * @param lastDiagnostic the last reply or explanation, or null
 * @param remoteMta the host that gave the last reply, or null
 * @param report a DSN this recipient still owes its sender (cleared once the DSN is queued)
 * @param delayWarned a delay DSN was already sent for it
 * @param history the most recent attempts, oldest first, at most {@link #HISTORY_LIMIT}
 */
public record RecipientState(
        Status status,
        int attempts,
        Instant nextAttempt,
        Instant lastAttempt,
        String lastStatus,
        String lastDiagnostic,
        String remoteMta,
        Report report,
        boolean delayWarned,
        List<Attempt> history) {

    /** Keeps the state file small however long a recipient is retried. */
    static final int HISTORY_LIMIT = 10;

    public enum Status { PENDING, DELIVERED, BOUNCED }

    /** Which DSN Action a recipient still has to be reported with (RFC 3464 §2.3.3). */
    public enum Report { NONE, FAILED, DELAYED, RELAYED }

    public RecipientState {
        history = history == null ? List.of() : List.copyOf(history);
        report = report == null ? Report.NONE : report;
    }

    static RecipientState initial(Instant due) {
        return new RecipientState(Status.PENDING, 0, due, null, null, null, null, Report.NONE, false, List.of());
    }

    public boolean isFinal() {
        return status != Status.PENDING;
    }

    /** This recipient after one more attempt, with the attempt recorded in its history. */
    RecipientState attempted(Attempt attempt, Status newStatus, Instant next, Report newReport) {
        List<Attempt> h = new ArrayList<>(history);
        h.add(attempt);
        if (h.size() > HISTORY_LIMIT) {
            h = h.subList(h.size() - HISTORY_LIMIT, h.size());
        }
        return new RecipientState(newStatus, attempts + 1, next, attempt.at(), attempt.status(),
                attempt.diagnostic(), attempt.remoteMta(), newReport, delayWarned, h);
    }

    RecipientState withStatus(Status newStatus, String status, String diagnostic, Report newReport) {
        return new RecipientState(newStatus, attempts, nextAttempt, lastAttempt, status, diagnostic, remoteMta,
                newReport, delayWarned, history);
    }

    RecipientState withNextAttempt(Instant next) {
        return new RecipientState(status, attempts, next, lastAttempt, lastStatus, lastDiagnostic, remoteMta,
                report, delayWarned, history);
    }

    RecipientState withReport(Report newReport, boolean warned) {
        return new RecipientState(status, attempts, nextAttempt, lastAttempt, lastStatus, lastDiagnostic,
                remoteMta, newReport, warned, history);
    }
}
