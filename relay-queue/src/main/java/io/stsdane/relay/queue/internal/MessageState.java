package io.stsdane.relay.queue.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The mutable part of a queued message: one {@link RecipientState} per envelope recipient (same order),
 * whether an administrator holds it, and when to (re)try queueing the DSNs it owes. Immutable value; the
 * store replaces it atomically.
 *
 * @param reportDue when the owed DSNs should be queued (later than now after a failed try, e.g. disk full);
 *     null when none is owed
 */
public record MessageState(boolean held, List<RecipientState> recipients, Instant reportDue) {

    public MessageState {
        recipients = List.copyOf(recipients);
    }

    static MessageState initial(int recipientCount, Instant due) {
        List<RecipientState> r = new ArrayList<>(recipientCount);
        for (int i = 0; i < recipientCount; i++) {
            r.add(RecipientState.initial(due));
        }
        return new MessageState(false, r, null);
    }

    /**
     * When the scheduler should next look at this message: now-ish when a DSN is owed, else the earliest
     * pending recipient; empty when nothing is left to do.
     */
    public Optional<Instant> nextDue() {
        Optional<Instant> attempt = recipients.stream()
                .filter(r -> !r.isFinal())
                .map(RecipientState::nextAttempt)
                .min(Instant::compareTo);
        if (!hasPendingReports()) {
            return attempt;
        }
        Instant report = reportDue == null ? Instant.EPOCH : reportDue;
        return Optional.of(attempt.filter(a -> a.isBefore(report)).orElse(report));
    }

    public boolean hasPendingReports() {
        return recipients.stream().anyMatch(r -> r.report() != RecipientState.Report.NONE);
    }

    /** Every recipient is final and no DSN is owed: the message can leave the queue. */
    public boolean isDone() {
        return nextDue().isEmpty();
    }

    MessageState withHeld(boolean h) {
        return new MessageState(h, recipients, reportDue);
    }

    MessageState withReportDue(Instant due) {
        return new MessageState(held, recipients, due);
    }

    /** Owed DSNs are queued at {@code now}, unless already scheduled. */
    MessageState scheduleReports(Instant now) {
        if (!hasPendingReports()) {
            return withReportDue(null);
        }
        return reportDue == null ? withReportDue(now) : this;
    }

    MessageState mapRecipients(UnaryOperator<RecipientState> f) {
        return new MessageState(held, recipients.stream().map(f).toList(), reportDue);
    }

    MessageState withRecipient(int index, RecipientState r) {
        List<RecipientState> copy = new ArrayList<>(recipients);
        copy.set(index, r);
        return new MessageState(held, copy, reportDue);
    }
}
