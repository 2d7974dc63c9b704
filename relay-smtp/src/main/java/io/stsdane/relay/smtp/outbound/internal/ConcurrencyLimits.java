package io.stsdane.relay.smtp.outbound.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Bounds deliveries in progress: in total, and per destination. Waiters are served first come, first served
 * among those whose destination has room. Thread-safe (one lock; held only for bookkeeping).
 */
final class ConcurrencyLimits {

    /** Returned by {@link #acquire}; release exactly once. */
    interface Permit {
        void release();
    }

    private record Waiter(String destination, CompletableFuture<Permit> future) {
    }

    private final int total;
    private final int perDestination;
    private final Map<String, Integer> active = new HashMap<>();
    private final Deque<Waiter> waiters = new ArrayDeque<>();
    private int inUse;

    ConcurrencyLimits(int total, int perDestination) {
        this.total = total;
        this.perDestination = perDestination;
    }

    CompletableFuture<Permit> acquire(String destination) {
        CompletableFuture<Permit> f = new CompletableFuture<>();
        synchronized (this) {
            if (!hasRoom(destination)) {
                waiters.add(new Waiter(destination, f));
                return f;
            }
            take(destination);
        }
        f.complete(permit(destination));
        return f;
    }

    private void release(String destination) {
        Waiter next = null;
        synchronized (this) {
            inUse--;
            active.computeIfPresent(destination, (k, v) -> v == 1 ? null : v - 1);
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (hasRoom(w.destination())) {
                    it.remove();
                    take(w.destination());
                    next = w;
                    break;
                }
            }
        }
        if (next != null) {
            next.future().complete(permit(next.destination()));
        }
    }

    private boolean hasRoom(String destination) {
        return inUse < total && active.getOrDefault(destination, 0) < perDestination;
    }

    private void take(String destination) {
        inUse++;
        active.merge(destination, 1, Integer::sum);
    }

    private Permit permit(String destination) {
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                release(destination);
            }
        };
    }
}
