package io.stsdane.relay.smtp.inbound.internal;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed AUTH attempts per client address in a sliding window, so password guessing from one address
 * is slowed down to {@code maxFailures} per window. Thread-safe.
 */
public final class AuthThrottle {

    private final int maxFailures;
    private final Duration window;
    private final Clock clock;
    private final Map<InetAddress, Deque<Instant>> failures = new ConcurrentHashMap<>();

    public AuthThrottle(int maxFailures, Duration window, Clock clock) {
        this.maxFailures = maxFailures;
        this.window = window;
        this.clock = clock;
    }

    /** Whether this address has used up its failed attempts for now. */
    public boolean blocked(InetAddress client) {
        Deque<Instant> recent = failures.get(client);
        if (recent == null) {
            return false;
        }
        synchronized (recent) {
            prune(recent);
            return recent.size() >= maxFailures;
        }
    }

    public void recordFailure(InetAddress client) {
        Deque<Instant> recent = failures.computeIfAbsent(client, c -> new ArrayDeque<>());
        synchronized (recent) {
            prune(recent);
            recent.addLast(clock.instant());
        }
        // Forget addresses whose failures have all expired, so the map cannot grow without bound.
        failures.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                prune(e.getValue());
                return e.getValue().isEmpty();
            }
        });
    }

    private void prune(Deque<Instant> recent) {
        Instant cutoff = clock.instant().minus(window);
        while (!recent.isEmpty() && recent.peekFirst().isBefore(cutoff)) {
            recent.removeFirst();
        }
    }
}
