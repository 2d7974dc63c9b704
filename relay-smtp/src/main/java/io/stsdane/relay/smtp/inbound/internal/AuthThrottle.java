package io.stsdane.relay.smtp.inbound.internal;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;

/**
 * Bounds password guessing, per client address and for the whole listener. Per address: at most
 * {@code maxAttempts} failed (or still running) attempts in a sliding window; an attempt is reserved
 * <em>before</em> the password is checked and only a success gives it back, so any number of parallel sessions
 * from one address together get no more than {@code maxAttempts} checks. Globally: at most
 * {@code parallelChecks} checks run at once, and a failed one keeps its slot for {@code failureDelay}, so that
 * all addresses together make at most {@code parallelChecks / failureDelay} guesses a second. Thread-safe: each
 * address's attempts are only touched inside {@link ConcurrentMap#compute}, atomically per address.
 */
public final class AuthThrottle {

    private final int maxAttempts;
    private final Duration window;
    private final Duration failureDelay;
    private final Semaphore checks;
    private final Clock clock;
    private final ConcurrentMap<InetAddress, Deque<Instant>> attempts = new ConcurrentHashMap<>();

    public AuthThrottle(int maxAttempts, Duration window, Duration failureDelay, int parallelChecks, Clock clock) {
        this.maxAttempts = maxAttempts;
        this.window = window;
        this.failureDelay = failureDelay;
        this.checks = new Semaphore(parallelChecks, true);
        this.clock = clock;
    }

    /** One reserved attempt of one address; counts as a failure unless {@link #release()} gives it back. */
    public final class Attempt {
        private final InetAddress client;
        private final Instant at;

        private Attempt(InetAddress client, Instant at) {
            this.client = client;
            this.at = at;
        }

        /** The password was right, or no password was checked: the attempt does not count. */
        public void release() {
            attempts.computeIfPresent(client, (c, recent) -> {
                recent.removeFirstOccurrence(at);
                return recent.isEmpty() ? null : recent;
            });
        }
    }

    /** Reserves an attempt for {@code client}; null when it has used up its attempts for now. */
    public Attempt reserve(InetAddress client) {
        Instant now = clock.instant();
        Attempt[] reserved = new Attempt[1];
        attempts.compute(client, (c, recent) -> {
            Deque<Instant> d = recent == null ? new ArrayDeque<>() : recent;
            prune(d, now);
            if (d.size() < maxAttempts) {
                d.addLast(now);
                reserved[0] = new Attempt(c, now);
            }
            return d.isEmpty() ? null : d;
        });
        // Forget addresses whose attempts have all expired, so the map cannot grow without bound.
        for (InetAddress other : attempts.keySet()) {
            attempts.computeIfPresent(other, (c, recent) -> {
                prune(recent, now);
                return recent.isEmpty() ? null : recent;
            });
        }
        return reserved[0];
    }

    /**
     * Runs one password check in one of the global slots (waiting for a free one); a failed check keeps its slot
     * for the failure delay before it returns.
     */
    public boolean check(BooleanSupplier passwordCheck) throws InterruptedException {
        checks.acquire();
        try {
            boolean ok = passwordCheck.getAsBoolean();
            if (!ok && !failureDelay.isZero()) {
                Thread.sleep(failureDelay.toMillis());
            }
            return ok;
        } finally {
            checks.release();
        }
    }

    private void prune(Deque<Instant> recent, Instant now) {
        Instant cutoff = now.minus(window);
        while (!recent.isEmpty() && recent.peekFirst().isBefore(cutoff)) {
            recent.removeFirst();
        }
    }
}
