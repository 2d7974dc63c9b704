package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.QueueId;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Queue ids: base-36 milliseconds, a per-process counter and random characters, so ids sort roughly by
 * time and stay unique across restarts and nodes. The random characters only have to differ between nodes
 * (nothing relies on them being unguessable), so they come from {@link ThreadLocalRandom}, which intake threads
 * do not contend for as they did for one {@code SecureRandom} (a lock and a read of the system's random
 * source per id). Thread-safe.
 */
public final class QueueIds implements Supplier<QueueId> {

    private final Clock clock;
    private final AtomicLong counter = new AtomicLong();

    public QueueIds(Clock clock) {
        this.clock = clock;
    }

    @Override
    public QueueId get() {
        long c = counter.getAndIncrement() % (36L * 36 * 36 * 36);
        long r = ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36);
        return new QueueId((Long.toString(clock.millis(), 36) + pad(c) + pad(r)).toUpperCase(Locale.ROOT));
    }

    private static String pad(long v) {
        String s = Long.toString(v, 36);
        return "0".repeat(4 - s.length()) + s;
    }
}
