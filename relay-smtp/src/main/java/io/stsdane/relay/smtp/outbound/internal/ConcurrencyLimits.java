package io.stsdane.relay.smtp.outbound.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds deliveries in progress: in total, and per destination. A delivery waits first for room at its
 * destination, then for a slot in the total, each first come, first served; so the total is shared in arrival
 * order among the deliveries whose destination has room. Thread-safe with no lock shared by all deliveries
 * (every message takes and releases a permit): each bound is an {@link AsyncLimit}, and a destination's lives
 * in a concurrent map only while a delivery holds or awaits it.
 */
final class ConcurrencyLimits {

    /** Returned by {@link #acquire}; release exactly once (later calls do nothing). */
    interface Permit {
        void release();
    }

    /** A destination's limit and how many deliveries hold or await it; {@code users} changes only in compute. */
    private static final class Destination {
        private final AsyncLimit limit;
        private int users;

        Destination(int slots) {
            this.limit = new AsyncLimit(slots);
        }
    }

    private final AsyncLimit total;
    private final int perDestination;
    private final ConcurrentMap<String, Destination> destinations = new ConcurrentHashMap<>();

    ConcurrencyLimits(int total, int perDestination) {
        this.total = new AsyncLimit(total);
        this.perDestination = perDestination;
    }

    CompletableFuture<Permit> acquire(String destination) {
        Destination d = destinations.compute(destination, (k, v) -> {
            Destination x = v != null ? v : new Destination(perDestination);
            x.users++;
            return x;
        });
        return d.limit.acquire().thenCompose(v -> total.acquire()).thenApply(v -> permit(destination, d));
    }

    private Permit permit(String destination, Destination d) {
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                total.release();
                d.limit.release();
                destinations.computeIfPresent(destination, (k, v) -> --v.users == 0 ? null : v);
            }
        };
    }
}
