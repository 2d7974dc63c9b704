package io.stsdane.relay.smtp.inbound.internal;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * INFO lines for events any client can cause at will (a message refused for its content): at most
 * {@code perMinute} lines a minute, so that no client can flood the log; the first line of the next minute says
 * how many were left out. Thread-safe.
 */
final class RateLimitedLog {

    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    private final Logger log;
    private final int perMinute;
    private long windowStart = System.nanoTime();
    private int written;
    private int leftOut;

    RateLimitedLog(Logger log, int perMinute) {
        this.log = log;
        this.perMinute = perMinute;
    }

    void info(String format, Object... args) {
        if (!log.isInfoEnabled()) {
            return;
        }
        int leftOutBefore = 0;
        synchronized (this) {
            long now = System.nanoTime();
            if (now - windowStart >= MINUTE) {
                leftOutBefore = leftOut;
                windowStart = now;
                written = 0;
                leftOut = 0;
            }
            if (written >= perMinute) {
                leftOut++;
                return;
            }
            written++;
        }
        if (leftOutBefore > 0) {
            log.info("{} more such lines were left out in the last minute", leftOutBefore);
        }
        log.info(format, args);
    }
}
