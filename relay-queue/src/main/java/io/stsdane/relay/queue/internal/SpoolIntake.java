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

    public SpoolIntake(QueueStore store, Supplier<QueueId> ids, BooleanSupplier started, Runnable onAccepted,
            QueueMetrics metrics) {
        this.store = store;
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

    /** {@link #checkCapacity} asked afresh ({@link QueueStore#checkReady}), for a readiness probe. */
    public void checkReady() throws IntakeException {
        requireStarted();
        store.checkReady();
    }

    @Override
    public void accept(QueueId id, Envelope envelope, InputStream content) throws IntakeException {
        requireStarted();
        store.enqueue(id, envelope, content);
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
