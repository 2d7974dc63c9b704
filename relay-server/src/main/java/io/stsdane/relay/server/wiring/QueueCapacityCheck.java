package io.stsdane.relay.server.wiring;

import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.queue.MessageQueue;
import io.stsdane.relay.server.admin.HealthCheck;

/**
 * Readiness: whether the queue would accept a message now (free disk above {@code spool.min-free-disk} for the
 * file spool; the database answering for PostgreSQL), asked afresh on every probe ({@link MessageQueue#checkReady}).
 * Thread-safe.
 */
final class QueueCapacityCheck implements HealthCheck {

    private final MessageQueue queue;

    QueueCapacityCheck(MessageQueue queue) {
        this.queue = queue;
    }

    @Override
    public String name() {
        return "queue";
    }

    @Override
    public Status check() {
        try {
            queue.checkReady();
            return Status.up("accepting mail");
        } catch (IntakeException e) {
            return Status.down(e.code() + " " + e.enhancedStatus() + " " + e.getMessage());
        }
    }
}
