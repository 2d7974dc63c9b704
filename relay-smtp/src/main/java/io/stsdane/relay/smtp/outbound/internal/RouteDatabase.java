package io.stsdane.relay.smtp.outbound.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Hosts and addresses that failed recently. They are not forgotten but postponed: tried after the others, in
 * their original order, until {@code memory} has passed. Thread-safe.
 */
final class RouteDatabase {

    private final Map<String, Instant> failed = new ConcurrentHashMap<>();
    private final Duration memory;
    private final Clock clock;

    RouteDatabase(Duration memory, Clock clock) {
        this.memory = memory;
        this.clock = clock;
    }

    void failed(String route) {
        failed.put(route, clock.instant().plus(memory));
    }

    void succeeded(String route) {
        failed.remove(route);
    }

    boolean isPostponed(String route) {
        Instant until = failed.get(route);
        if (until == null) {
            return false;
        }
        if (clock.instant().isAfter(until)) {
            failed.remove(route, until);
            return false;
        }
        return true;
    }

    /** {@code items} with the postponed ones moved to the end; the order is otherwise kept. */
    <T> List<T> postponeFailed(List<T> items, Function<T, String> key) {
        List<T> fresh = new ArrayList<>();
        List<T> later = new ArrayList<>();
        for (T t : items) {
            (isPostponed(key.apply(t)) ? later : fresh).add(t);
        }
        fresh.addAll(later);
        return fresh;
    }
}
