package io.stsdane.relay.server.wiring;

import io.stsdane.relay.core.delivery.AttemptSecurity;
import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.DomainSuspension;
import io.stsdane.relay.queue.QueueAdmin;
import io.stsdane.relay.queue.QueuedMessageView;
import io.stsdane.relay.server.admin.AdminResult;
import io.stsdane.relay.server.admin.QueueAdminPort;
import io.stsdane.relay.server.admin.QueueMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Shows the queue module's admin API through the admin HTTP server's {@link QueueAdminPort}, and says for each
 * message what keeps it queued: its state, the reason of its last deferral, and a destination suspension or
 * backoff that postpones it. Thread-safe.
 */
final class QueueAdminAdapter implements QueueAdminPort {

    /** More than an operator reads in one listing; the CLI and HTTP API page nothing beyond it. */
    private static final int LIST_LIMIT = 10_000;
    /** An attempt recorded before the queue kept its policy and TLS. */
    private static final AttemptSecurity UNRECORDED = new AttemptSecurity(null, null, null, null, null, null);

    private final QueueAdmin admin;
    private final Clock clock;

    QueueAdminAdapter(QueueAdmin admin, Clock clock) {
        this.admin = admin;
        this.clock = clock;
    }

    @Override
    public List<QueueMessage> list() {
        Delays delays = delays();
        return io(() -> admin.list(LIST_LIMIT)).stream().map(v -> toMessage(v, delays))
                .sorted(Comparator.comparing(QueueMessage::received).thenComparing(QueueMessage::id))
                .toList();
    }

    @Override
    public Optional<QueueMessage> show(QueueId id) {
        return io(() -> admin.show(id)).map(v -> toMessage(v, delays()));
    }

    @Override
    public AdminResult retry(QueueId id) {
        return result(id, io(() -> admin.retryNow(id)), "due now");
    }

    @Override
    public AdminResult hold(QueueId id) {
        return result(id, io(() -> admin.hold(id)), "held");
    }

    @Override
    public AdminResult release(QueueId id) {
        return result(id, io(() -> admin.release(id)), "released");
    }

    @Override
    public AdminResult delete(QueueId id) {
        return result(id, io(() -> admin.delete(id)), "deleted without a DSN");
    }

    @Override
    public AdminResult bounce(QueueId id) {
        return result(id, io(() -> admin.bounce(id)), "bounced; DSN queued as NOTIFY asks");
    }

    @Override
    public Optional<MessageContent> content(QueueId id) {
        return io(() -> admin.content(id));
    }

    @Override
    public void clearBackoff() {
        admin.clearBackoff();
    }

    @Override
    public List<Suspension> suspensions() {
        return admin.suspensions().stream().map(s -> new Suspension(s.domain(), s.until())).toList();
    }

    @Override
    public void suspend(String domain, Instant until) {
        io(() -> {
            admin.suspend(new DomainSuspension(domain, until));
            return null;
        });
    }

    @Override
    public boolean resume(String domain) {
        return io(() -> admin.resume(domain));
    }

    private static AdminResult result(QueueId id, boolean done, String what) {
        return done ? AdminResult.ok(id + " " + what) : AdminResult.notFound(id.value());
    }

    /** What postpones each destination now, read once per listing. */
    private record Delays(Map<String, DomainSuspension> suspended, Map<String, Instant> backedOff) {
        String of(List<QueueMessage.QueueRecipient> pending) {
            for (QueueMessage.QueueRecipient r : pending) {
                DomainSuspension s = suspended.get(r.domain());
                if (s != null) {
                    return "suspended until " + (s.until() == null ? "resumed" : s.until());
                }
            }
            for (QueueMessage.QueueRecipient r : pending) {
                Instant until = backedOff.get(r.domain());
                if (until != null) {
                    return "backoff of " + r.domain() + " until " + until;
                }
            }
            return null;
        }
    }

    private Delays delays() {
        return new Delays(admin.suspensions().stream().collect(Collectors.toMap(DomainSuspension::domain, s -> s)),
                admin.backedOff());
    }

    private QueueMessage toMessage(QueuedMessageView v, Delays delays) {
        List<QueueMessage.QueueRecipient> recipients = v.recipients().stream()
                .map(QueueAdminAdapter::toRecipient)
                .toList();
        List<QueueMessage.QueueRecipient> pending = recipients.stream().filter(r -> r.nextAttempt() != null).toList();
        Instant next = v.held() ? null : pending.stream().map(QueueMessage.QueueRecipient::nextAttempt)
                .min(Instant::compareTo).orElse(null);
        String reason = pending.stream().filter(r -> r.lastStatus() != null || r.lastResult() != null)
                .findFirst().flatMap(QueueMessage.QueueRecipient::reason).orElse(null);
        String delayedBy = delays.of(pending);
        String state = v.quarantine() != null ? "quarantined"
                : v.held() ? "held"
                : reason != null || delayedBy != null || (next != null && next.isAfter(clock.instant())) ? "deferred"
                : "active";
        QueueMessage.Quarantine quarantine = v.quarantine() == null ? null
                : new QueueMessage.Quarantine(v.quarantine().since(), v.quarantine().reason());
        return new QueueMessage(v.id(), v.sender(), v.received(), v.size(), state, v.held(), next, reason, delayedBy,
                recipients, quarantine);
    }

    private static QueueMessage.QueueRecipient toRecipient(QueuedMessageView.RecipientView r) {
        return new QueueMessage.QueueRecipient(r.address(), r.domain(), r.state().toLowerCase(Locale.ROOT),
                r.attempts(), r.lastStatus(), r.lastError(), r.remoteMta(), r.nextAttempt(),
                r.history().stream().map(QueueAdminAdapter::toAttempt).toList());
    }

    private static QueueMessage.Attempt toAttempt(QueuedMessageView.AttemptView a) {
        AttemptSecurity sec = Objects.requireNonNullElse(a.security(), UNRECORDED);
        return new QueueMessage.Attempt(a.at(), a.outcome().toLowerCase(Locale.ROOT), a.status(), a.diagnostic(),
                Objects.requireNonNullElse(a.remoteMta(), ""), sec.policy(), sec.tlsProtocol(), sec.tlsCipher(),
                sec.verified(), sec.verification());
    }

    private interface IoCall<T> {
        T call() throws IOException;
    }

    private static <T> T io(IoCall<T> call) {
        try {
            return call.call();
        } catch (IOException e) {
            throw new UncheckedIOException("queue admin: " + e.getMessage(), e);
        }
    }
}
