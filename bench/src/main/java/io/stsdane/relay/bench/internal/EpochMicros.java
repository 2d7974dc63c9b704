package io.stsdane.relay.bench.internal;

import java.time.Instant;

/**
 * Wall-clock time in microseconds since the epoch. The load generator and the sink run in different processes on
 * the same machine, so delivery latency (250 at the relay to 250 at the sink) needs a clock both share;
 * {@link System#nanoTime()} is only comparable inside one JVM.
 */
public final class EpochMicros {

    private EpochMicros() {
    }

    public static long now() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }
}
