package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.queue.QueueId;
import java.io.InputStream;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** The listener's door into the queue. Thread-safe. */
public final class SpoolIntake implements MessageIntake {

    private final QueueStore store;
    private final Supplier<QueueId> ids;
    private final BooleanSupplier started;
    private final Runnable onAccepted;
    private final QueueMetrics metrics;
    private final CommitDelay commitDelay;

    /** @param commitDelay told when an intake begins and ends, so that the store's commit can wait for it */
    public SpoolIntake(QueueStore store, Supplier<QueueId> ids, BooleanSupplier started, Runnable onAccepted,
            QueueMetrics metrics, CommitDelay commitDelay) {
        this.store = store;
        this.commitDelay = commitDelay;
        this.ids = ids;
        this.started = started;
        this.onAccepted = onAccepted;
        this.metrics = metrics;
    }

    @Override
    public QueueId nextId() {
        return ids.get();
    }

    @Override
    public void checkCapacity() throws IntakeException {
        requireStarted();
        store.checkCapacity();
    }

    @Override
    public void accept(QueueId id, Envelope envelope, InputStream content) throws IntakeException {
        requireStarted();
        commitDelay.begin();
        try {
            store.enqueue(id, envelope, content);
        } finally {
            commitDelay.end();
        }
        metrics.received();
        onAccepted.run();
    }

    /** Before recovery has run, new files could collide with what recovery is about to judge. */
    private void requireStarted() throws IntakeException {
        if (!started.getAsBoolean()) {
            throw new IntakeException(451, "4.3.0", "queue is not started");
        }
    }
}
