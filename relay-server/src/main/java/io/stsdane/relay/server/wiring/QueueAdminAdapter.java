package io.stsdane.relay.server.wiring;

import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.QueueAdmin;
import io.stsdane.relay.queue.QueuedMessageView;
import io.stsdane.relay.server.admin.AdminResult;
import io.stsdane.relay.server.admin.QueueAdminPort;
import io.stsdane.relay.server.admin.QueueMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Shows the queue module's admin API through the admin HTTP server's {@link QueueAdminPort}. Thread-safe. */
final class QueueAdminAdapter implements QueueAdminPort {

    /** More than an operator reads in one listing; the CLI and HTTP API page nothing beyond it. */
    private static final int LIST_LIMIT = 10_000;

    private final QueueAdmin admin;

    QueueAdminAdapter(QueueAdmin admin) {
        this.admin = admin;
    }

    @Override
    public List<QueueMessage> list() {
        return io(() -> admin.list(LIST_LIMIT)).stream().map(QueueAdminAdapter::toMessage).toList();
    }

    @Override
    public Optional<QueueMessage> show(QueueId id) {
        return io(() -> admin.show(id)).map(QueueAdminAdapter::toMessage);
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

    private static AdminResult result(QueueId id, boolean done, String what) {
        return done ? AdminResult.ok(id + " " + what) : AdminResult.notFound(id.value());
    }

    private static QueueMessage toMessage(QueuedMessageView v) {
        Instant next = v.held() ? null : v.recipients().stream()
                .map(QueuedMessageView.RecipientView::nextAttempt)
                .filter(Objects::nonNull)
                .min(Instant::compareTo)
                .orElse(null);
        List<QueueMessage.QueueRecipient> recipients = v.recipients().stream()
                .map(r -> new QueueMessage.QueueRecipient(r.address(), r.state().toLowerCase(java.util.Locale.ROOT),
                        r.attempts(), r.lastError()))
                .toList();
        QueueMessage.Quarantine quarantine = v.quarantine() == null ? null
                : new QueueMessage.Quarantine(v.quarantine().since(), v.quarantine().reason());
        return new QueueMessage(v.id(), v.sender(), v.received(), v.size(), v.held(), next, recipients, quarantine);
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
