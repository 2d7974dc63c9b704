package io.stsdane.relay.smtp.outbound.internal;

import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A counting limit whose waiters are futures, served in arrival order. Lock-free: a counter of free slots and a
 * queue of waiters; whoever frees a slot or queues a waiter then matches free slots to waiters, so a slot
 * freed while a waiter was being queued is never lost. A waiter's future completes on the thread that matched
 * it. Thread-safe.
 */
final class AsyncLimit {

    private static final CompletableFuture<Void> TAKEN = CompletableFuture.completedFuture(null);

    private final AtomicInteger free;
    private final Queue<CompletableFuture<Void>> waiters = new ConcurrentLinkedQueue<>();

    AsyncLimit(int slots) {
        this.free = new AtomicInteger(slots);
    }

    /** Completes when a slot is this caller's; give it back with {@link #release()}. */
    CompletableFuture<Void> acquire() {
        if (waiters.isEmpty() && tryTake()) {
            return TAKEN;
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        waiters.add(f);
        match();
        return f;
    }

    void release() {
        free.incrementAndGet();
        match();
    }

    private void match() {
        while (!waiters.isEmpty() && tryTake()) {
            CompletableFuture<Void> next = waiters.poll();
            if (next == null) {
                // Another thread served the waiter seen above: give the slot back and look again.
                free.incrementAndGet();
            } else {
                next.complete(null);
            }
        }
    }

    private boolean tryTake() {
        int n;
        do {
            n = free.get();
            if (n == 0) {
                return false;
            }
        } while (!free.compareAndSet(n, n - 1));
        return true;
    }
}
