package io.stsdane.relay.server.wiring;

import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.server.admin.HealthCheck;

/**
 * Readiness: whether the queue would accept a message now (free disk above {@code spool.min-free-disk} for the
 * file spool; the database answering for PostgreSQL). Thread-safe.
 */
final class QueueCapacityCheck implements HealthCheck {

    private final MessageIntake intake;

    QueueCapacityCheck(MessageIntake intake) {
        this.intake = intake;
    }

    @Override
    public String name() {
        return "queue";
    }

    @Override
    public Status check() {
        try {
            intake.checkCapacity();
            return Status.up("accepting mail");
        } catch (IntakeException e) {
            return Status.down(e.code() + " " + e.enhancedStatus() + " " + e.getMessage());
        }
    }
}
