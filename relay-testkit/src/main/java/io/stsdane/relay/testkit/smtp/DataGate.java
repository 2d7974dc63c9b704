package io.stsdane.relay.testkit.smtp;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Pauses a {@link TestSmtpServer} in the middle of a message body: once {@code afterBytes} body octets have been
 * read, the server stops reading until {@link #release()}. Lets a test look at the client while it is blocked by
 * backpressure. Thread-safe; one use.
 */
public final class DataGate {

    private final long afterBytes;
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    public DataGate(long afterBytes) {
        this.afterBytes = afterBytes;
    }

    public long afterBytes() {
        return afterBytes;
    }

    /** Waits until the server has read {@link #afterBytes()} octets of a body and paused. */
    public boolean awaitPaused(Duration timeout) throws InterruptedException {
        return reached.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lets the server read on. */
    public void release() {
        released.countDown();
    }

    void pause() throws InterruptedException {
        reached.countDown();
        released.await();
    }
}
