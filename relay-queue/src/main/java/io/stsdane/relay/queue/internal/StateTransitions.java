package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.Notify;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.queue.internal.RecipientState.Report;
import io.stsdane.relay.queue.internal.RecipientState.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The rules that turn delivery results and admin actions into new recipient states: retry schedule,
 * queue lifetime, and which DSN each recipient is owed (RFC 3461 §4.1 NOTIFY; never for a bounce, whose
 * sender is {@code <>}; no success notice when the next hop took the DSN duty on). Pure functions of their
 * inputs; immutable and thread-safe.
 *
 * @param delayWarning age after which pending recipients get one {@code Action: delayed} DSN; null = off
 */
public record StateTransitions(RetryPolicy retry, Duration maxQueueLifetime, Duration delayWarning) {

    static final String EXPIRED_STATUS = "4.4.7";

    public MessageState apply(StoredMessage m, List<DeliveryResult> results, Instant now) {
        Envelope env = m.envelope();
        Instant expiry = env.receivedAt().plus(maxQueueLifetime);
        MessageState s = m.state();
        for (DeliveryResult r : results) {
            RecipientState before = s.recipients().get(r.index());
            if (before.isFinal()) {
                continue; // an admin bounced it while the attempt was in flight
            }
            Recipient rcpt = env.recipients().get(r.index());
            RecipientState after = r instanceof DeliveryResult.Attempted a
                    ? attempted(env, rcpt, before, a.outcome(), now, expiry)
                    : postponed(env, rcpt, before, ((DeliveryResult.Postponed) r).until(), now, expiry);
            s = s.withRecipient(r.index(), after);
        }
        return delayWarnings(env, s, now).scheduleReports(now);
    }

    private RecipientState attempted(Envelope env, Recipient rcpt, RecipientState before, RecipientOutcome o,
            Instant now, Instant expiry) {
        Attempt attempt = Attempt.of(now, o);
        return switch (o.kind()) {
            // RFC 3461 §5.2.1-5.2.2: NOTIFY=SUCCESS is ours to answer ("relayed") only when the next hop did not
            // take it on; a next hop that offered DSN got NOTIFY and reports the delivery itself.
            case DELIVERED -> before.attempted(attempt, Status.DELIVERED, null,
                    o.nextHopNotifies() ? Report.NONE : report(env, rcpt, Notify.SUCCESS, Report.RELAYED));
            case BOUNCED -> before.attempted(attempt, Status.BOUNCED, null,
                    report(env, rcpt, Notify.FAILURE, Report.FAILED));
            case DEFERRED -> {
                if (!now.isBefore(expiry)) {
                    yield before.attempted(new Attempt(now, o.kind(), o.status(),
                                    "delivery time expired; last error: " + o.diagnostic(), o.remoteMta(), o.security()),
                            Status.BOUNCED, null, report(env, rcpt, Notify.FAILURE, Report.FAILED));
                }
                Instant next = now.plus(retry.delay(before.attempts() + 1));
                yield before.attempted(attempt, Status.PENDING, min(next, expiry), Report.NONE);
            }
        };
    }

    private RecipientState postponed(Envelope env, Recipient rcpt, RecipientState before, Instant until,
            Instant now, Instant expiry) {
        if (!now.isBefore(expiry)) {
            String status = before.lastStatus() != null ? before.lastStatus() : EXPIRED_STATUS;
            String last = before.lastDiagnostic() != null ? before.lastDiagnostic() : "destination backed off";
            return before.withStatus(Status.BOUNCED, status, "delivery time expired; last error: " + last,
                    report(env, rcpt, Notify.FAILURE, Report.FAILED));
        }
        return before.withNextAttempt(min(until, expiry));
    }

    private MessageState delayWarnings(Envelope env, MessageState s, Instant now) {
        if (delayWarning == null || now.isBefore(env.receivedAt().plus(delayWarning))) {
            return s;
        }
        for (int i = 0; i < s.recipients().size(); i++) {
            RecipientState r = s.recipients().get(i);
            if (!r.isFinal() && !r.delayWarned()) {
                Report rep = report(env, env.recipients().get(i), Notify.DELAY, Report.DELAYED);
                s = s.withRecipient(i, r.withReport(rep, true));
            }
        }
        return s;
    }

    /** Admin bounce: every pending recipient fails now, with a DSN where NOTIFY asks for one. */
    public MessageState bounceAll(StoredMessage m, String diagnostic, Instant now) {
        MessageState s = m.state();
        for (int i = 0; i < s.recipients().size(); i++) {
            RecipientState r = s.recipients().get(i);
            if (!r.isFinal()) {
                s = s.withRecipient(i, r.withStatus(Status.BOUNCED, "5.0.0", diagnostic,
                        report(m.envelope(), m.envelope().recipients().get(i), Notify.FAILURE, Report.FAILED)));
            }
        }
        return s.scheduleReports(now);
    }

    /** Admin retry: every pending recipient is due now. */
    public static MessageState retryNow(MessageState s, Instant now) {
        return s.mapRecipients(r -> r.isFinal() ? r : r.withNextAttempt(now));
    }

    /** Every pending recipient of {@code domain} is due now; the others keep their schedule. */
    public static MessageState retryNow(StoredMessage m, String domain, Instant now) {
        MessageState s = m.state();
        for (int i = 0; i < s.recipients().size(); i++) {
            RecipientState r = s.recipients().get(i);
            if (!r.isFinal() && m.envelope().recipients().get(i).domain().equals(domain)) {
                s = s.withRecipient(i, r.withNextAttempt(now));
            }
        }
        return s;
    }

    private static Report report(Envelope env, Recipient rcpt, Notify kind, Report report) {
        return !env.isBounce() && rcpt.wants(kind) ? report : Report.NONE;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
