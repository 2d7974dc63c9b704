package io.stsdane.relay.junit.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands out distinct loopback addresses ({@code 127.0.x.y}, from {@code 127.0.0.10}), one per MX host of a
 * world, so that many MX hosts can listen on the one port the relay delivers to. Linux routes all of
 * {@code 127.0.0.0/8} to the loopback interface. Thread-safe.
 */
public final class LoopbackAddresses {

    private final AtomicInteger next = new AtomicInteger(10);

    public String next() {
        int n = next.getAndIncrement();
        return "127.0.%d.%d".formatted(n / 250, 1 + n % 250);
    }
}
