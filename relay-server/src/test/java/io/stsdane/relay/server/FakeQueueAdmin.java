package io.stsdane.relay.server;

import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.server.admin.AdminResult;
import io.stsdane.relay.server.admin.QueueAdminPort;
import io.stsdane.relay.server.admin.QueueMessage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** Knows one message, abc123, and one held message, held1; records every action. */
public final class FakeQueueAdmin implements QueueAdminPort {
    public final List<String> calls = new CopyOnWriteArrayList<>();
    private final QueueMessage message = new QueueMessage("abc123", "alice@example.org",
            Instant.parse("2026-01-02T03:04:05Z"), 1234, "deferred", false, null, "4.7.5 no TLSA match", null,
            List.of(new QueueMessage.QueueRecipient("bob@example.com", "example.com", "pending", 2, "4.7.5",
                    "451 4.7.5 no TLSA match", "mx.example.com", Instant.parse("2026-01-02T04:00:00Z"), List.of())),
            null);

    @Override
    public List<QueueMessage> list() {
        return List.of(message);
    }

    @Override
    public Optional<QueueMessage> show(QueueId id) {
        return id.value().equals("abc123") ? Optional.of(message) : Optional.empty();
    }

    @Override
    public AdminResult retry(QueueId id) {
        if (id.value().equals("crash")) {
            throw new IllegalStateException("queue exploded");
        }
        return record("retry", id);
    }

    @Override
    public AdminResult hold(QueueId id) {
        if (id.value().equals("held1")) {
            calls.add("hold held1");
            return new AdminResult(AdminResult.Status.CONFLICT, "held1 is already held");
        }
        return record("hold", id);
    }

    @Override
    public AdminResult release(QueueId id) {
        return record("release", id);
    }

    @Override
    public AdminResult delete(QueueId id) {
        return record("delete", id);
    }

    @Override
    public AdminResult bounce(QueueId id) {
        return record("bounce", id);
    }

    @Override
    public Optional<MessageContent> content(QueueId id) {
        return Optional.empty();
    }

    @Override
    public void clearBackoff() {
        calls.add("clear backoff");
    }

    @Override
    public List<Suspension> suspensions() {
        return List.of();
    }

    @Override
    public void suspend(String domain, Instant until) {
        calls.add("suspend " + domain + " " + until);
    }

    @Override
    public boolean resume(String domain) {
        calls.add("resume " + domain);
        return true;
    }

    private AdminResult record(String action, QueueId id) {
        calls.add(action + " " + id);
        return AdminResult.ok(action + " " + id);
    }
}
