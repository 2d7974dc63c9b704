package io.stsdane.relay.server.tlsrpt;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.queue.QueueId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A MessageIntake that keeps what it accepts in memory, or refuses like a full queue when told to, or stalls in
 * the middle of a hand-over like a node that hangs or dies there.
 */
final class CapturingIntake implements MessageIntake {

    record Accepted(QueueId id, Envelope envelope, byte[] content) { }

    private final List<Accepted> accepted = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile boolean full;
    private volatile CompletableFuture<Boolean> gate;
    private volatile boolean stalled;

    List<Accepted> accepted() {
        return accepted;
    }

    void full(boolean full) {
        this.full = full;
    }

    /** The next accept waits for {@code gate}: true then takes the message, false loses it (the node died). */
    void stallUntil(CompletableFuture<Boolean> gate) {
        this.gate = gate;
    }

    /** Whether an accept is waiting (or waited) for the gate of {@link #stallUntil}. */
    boolean stalled() {
        return stalled;
    }

    @Override
    public QueueId nextId() {
        return new QueueId("Q" + ids.incrementAndGet());
    }

    @Override
    public void checkCapacity() throws IntakeException {
        if (full) {
            throw new IntakeException(452, "4.3.1", "spool full");
        }
    }

    @Override
    public void accept(QueueId id, Envelope envelope, InputStream content) throws IntakeException {
        CompletableFuture<Boolean> waitFor = gate;
        if (waitFor != null) {
            gate = null;
            stalled = true;
            if (!waitFor.join()) {
                throw new IntakeException(421, "4.3.0", "the node died during the hand-over");
            }
        }
        checkCapacity();
        try {
            accepted.add(new Accepted(id, envelope, content.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
