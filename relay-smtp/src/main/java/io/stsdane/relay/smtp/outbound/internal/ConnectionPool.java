package io.stsdane.relay.smtp.outbound.internal;

import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/**
 * Idle sessions kept for the next message to the same host under the same security context
 * ({@link Route.PoolKey}). A session is closed after {@code idleTimeout}, after {@code maxMessages} messages,
 * or when the server closes it. Thread-safe with no lock shared by all keys: each key's idle sessions are
 * changed only inside the concurrent map's atomic compute for that key, and a key without idle sessions has no
 * entry.
 */
final class ConnectionPool {

    private record Idle(SmtpConnection connection, ScheduledFuture<?> expiry) {
    }

    private final ConcurrentMap<Route.PoolKey, Deque<Idle>> idle = new ConcurrentHashMap<>();
    private final Duration idleTimeout;
    private final int maxMessages;
    private volatile boolean closed;

    ConnectionPool(Duration idleTimeout, int maxMessages) {
        this.idleTimeout = idleTimeout;
        this.maxMessages = maxMessages;
    }

    /** An idle, still open session for {@code key}, the most recently used first, or null. The caller owns it. */
    SmtpConnection take(Route.PoolKey key) {
        while (true) {
            Idle[] taken = new Idle[1];
            idle.computeIfPresent(key, (k, q) -> {
                taken[0] = q.pollLast();
                return q.isEmpty() ? null : q;
            });
            if (taken[0] == null) {
                return null;
            }
            taken[0].expiry().cancel(false);
            if (taken[0].connection().isUsable()) {
                return taken[0].connection();
            }
        }
    }

    /** Returns a session after a clean transaction; it is closed instead when it reached its message cap. */
    void offer(SmtpConnection c) {
        if (closed || c.messages() >= maxMessages || !c.isUsable()) {
            c.quit();
            return;
        }
        Route.PoolKey key = c.route().poolKey();
        ScheduledFuture<?> expiry = c.channel().eventLoop().schedule(() -> evict(key, c),
                idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
        boolean[] kept = new boolean[1];
        idle.compute(key, (k, q) -> {
            // Checked inside the compute: an offer racing with close() is refused here or its session is found
            // by close() (at worst it is closed with the event loops, which the dispatcher shuts down next).
            if (closed) {
                return q;
            }
            Deque<Idle> d = q != null ? q : new ArrayDeque<>();
            d.add(new Idle(c, expiry));
            kept[0] = true;
            return d;
        });
        if (!kept[0]) {
            expiry.cancel(false);
            c.quit();
            return;
        }
        // Once per session, not per offer: a session returns up to maxMessages times, and every listener added
        // would stay on its close future until the session closes.
        if (c.firstPooled()) {
            c.channel().closeFuture().addListener(f -> evict(key, c));
        }
    }

    private void evict(Route.PoolKey key, SmtpConnection c) {
        boolean[] removed = new boolean[1];
        idle.computeIfPresent(key, (k, q) -> {
            removed[0] = q.removeIf(i -> i.connection() == c);
            return q.isEmpty() ? null : q;
        });
        if (removed[0]) {
            c.quit();
        }
    }

    /** Closes every idle session; later offers are closed at once. */
    void close() {
        closed = true;
        List<Idle> all = new ArrayList<>();
        for (Route.PoolKey key : List.copyOf(idle.keySet())) {
            idle.computeIfPresent(key, (k, q) -> {
                all.addAll(q);
                return null;
            });
        }
        for (Idle i : all) {
            i.expiry().cancel(false);
            i.connection().quit();
        }
    }
}
