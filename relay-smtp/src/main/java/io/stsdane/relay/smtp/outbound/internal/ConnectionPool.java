package io.stsdane.relay.smtp.outbound.internal;

import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Idle sessions kept for the next message to the same host under the same security context
 * ({@link Route.PoolKey}). A session is closed after {@code idleTimeout}, after {@code maxMessages} messages,
 * or when the server closes it. Thread-safe.
 */
final class ConnectionPool {

    private record Idle(SmtpConnection connection, ScheduledFuture<?> expiry) {
    }

    private final Map<Route.PoolKey, Deque<Idle>> idle = new HashMap<>();
    private final Duration idleTimeout;
    private final int maxMessages;
    private boolean closed;

    ConnectionPool(Duration idleTimeout, int maxMessages) {
        this.idleTimeout = idleTimeout;
        this.maxMessages = maxMessages;
    }

    /** An idle, still open session for {@code key}, or null. The caller owns it. */
    synchronized SmtpConnection take(Route.PoolKey key) {
        Deque<Idle> q = idle.get(key);
        while (q != null && !q.isEmpty()) {
            Idle i = q.pollLast();
            i.expiry().cancel(false);
            if (i.connection().isUsable()) {
                return i.connection();
            }
        }
        idle.remove(key);
        return null;
    }

    /** Returns a session after a clean transaction; it is closed instead when it reached its message cap. */
    void offer(SmtpConnection c) {
        if (c.messages() >= maxMessages || !c.isUsable()) {
            c.quit();
            return;
        }
        Route.PoolKey key = c.route().poolKey();
        synchronized (this) {
            if (closed) {
                c.quit();
                return;
            }
            ScheduledFuture<?> expiry = c.channel().eventLoop().schedule(() -> evict(key, c),
                    idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
            idle.computeIfAbsent(key, k -> new ArrayDeque<>()).add(new Idle(c, expiry));
        }
        c.channel().closeFuture().addListener(f -> evict(key, c));
    }

    private void evict(Route.PoolKey key, SmtpConnection c) {
        boolean removed;
        synchronized (this) {
            Deque<Idle> q = idle.get(key);
            removed = q != null && q.removeIf(i -> i.connection() == c);
            if (q != null && q.isEmpty()) {
                idle.remove(key);
            }
        }
        if (removed) {
            c.quit();
        }
    }

    /** Closes every idle session; later offers are closed at once. */
    void close() {
        List<Idle> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            idle.values().forEach(all::addAll);
            idle.clear();
        }
        for (Idle i : all) {
            i.expiry().cancel(false);
            i.connection().quit();
        }
    }
}
