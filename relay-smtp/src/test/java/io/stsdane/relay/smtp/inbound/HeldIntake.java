package io.stsdane.relay.smtp.inbound;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.queue.QueueId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A queue whose writes hang, as on a slow disk: accept() reads the message, then waits until the test releases
 * it before handing it to the spool. Interrupting the wait fails the write with 451, as a real queue does.
 */
final class HeldIntake implements MessageIntake {

    private final MessageIntake spool;
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    HeldIntake(MessageIntake spool) {
        this.spool = spool;
    }

    @Override
    public QueueId nextId() {
        return spool.nextId();
    }

    @Override
    public void checkCapacity() throws IntakeException {
        spool.checkCapacity();
    }

    @Override
    public void accept(QueueId id, Envelope envelope, InputStream content) throws IntakeException {
        byte[] message;
        try {
            message = content.readAllBytes();
        } catch (IOException e) {
            throw new IntakeException(451, "4.3.0", "Queue write failed", e);
        }
        entered.countDown();
        try {
            released.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IntakeException(451, "4.3.0", "Queue write interrupted", e);
        }
        spool.accept(id, envelope, new ByteArrayInputStream(message));
    }

    /** Waits until a message is being held. */
    void awaitHeld() throws InterruptedException {
        if (!entered.await(20, TimeUnit.SECONDS)) {
            throw new AssertionError("no message reached the queue");
        }
    }

    void release() {
        released.countDown();
    }
}
