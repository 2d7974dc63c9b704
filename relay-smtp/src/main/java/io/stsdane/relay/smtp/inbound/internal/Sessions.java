package io.stsdane.relay.smtp.inbound.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * Admits sessions up to the overall and the per-address limit ({@code 421 4.7.0} beyond them), keeps each
 * session's {@link SessionState}, cuts sessions whose client misses a deadline, and drains them at shutdown.
 * Thread-safe: guarded by its own monitor, which {@link #drain} also waits on.
 */
public final class Sessions implements SessionHandler {

    private final Map<Session, SessionState> states = new HashMap<>();
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    private final AtomicInteger open;
    private final int max;
    private final int maxPerAddress;
    private final NetworkAcl perAddressExceptions;
    private final long commandNanos;
    private final InboundMetrics metrics;
    /** Text after the 421 code: RFC 3463 §3.4 4.3.2 "system not accepting network messages", a planned stop. */
    private final String shuttingDown;
    private ScheduledExecutorService watchdog;
    private boolean draining;

    /**
     * @param maxPerAddress sessions from one client address, except for addresses in {@code exceptions}
     * @param commandTimeout the deadline of one command line ({@link SessionActivity})
     * @param hostname named in the {@code 421 4.3.2} shutdown reply
     */
    public Sessions(int max, int maxPerAddress, NetworkAcl exceptions, Duration commandTimeout, AtomicInteger open,
            InboundMetrics metrics, String hostname) {
        this.max = max;
        this.maxPerAddress = maxPerAddress;
        this.perAddressExceptions = exceptions;
        this.commandNanos = commandTimeout.toNanos();
        this.open = open;
        this.metrics = metrics;
        this.shuttingDown = "4.3.2 " + hostname + " shutting down";
    }

    @Override
    public synchronized SessionAcceptance accept(Session session) {
        if (draining) {
            metrics.rejected("shutting-down");
            return SessionAcceptance.failure(421, shuttingDown);
        }
        InetAddress client = session.getRemoteAddress().getAddress();
        int fromClient = perAddress.getOrDefault(client, 0);
        if (fromClient >= maxPerAddress && !perAddressExceptions.contains(client)) {
            metrics.rejected("too-many-sessions-per-ip");
            return SessionAcceptance.failure(421, "4.7.0 Too many connections from your address, try again later");
        }
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            metrics.rejected("too-many-sessions");
            return SessionAcceptance.failure(421, "4.7.0 Too many connections, try again later");
        }
        perAddress.put(client, fromClient + 1);
        states.put(session, new SessionState(client, commandNanos));
        return SessionAcceptance.success();
    }

    @Override
    public synchronized void onSessionEnd(Session session) {
        SessionState state = states.remove(session);
        if (state != null) {
            perAddress.computeIfPresent(state.client, (a, n) -> n == 1 ? null : n - 1);
            open.decrementAndGet();
            notifyAll();
        }
    }

    /** Starts checking deadlines, a few times per command timeout (at least once a second). */
    synchronized void startWatchdog() {
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "smtp-in-deadlines");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.SECONDS.toNanos(1),
                commandNanos / 4));
        watchdog.scheduleWithFixedDelay(this::cutExpired, period, period, TimeUnit.NANOSECONDS);
    }

    synchronized void stopWatchdog() {
        if (watchdog != null) {
            watchdog.shutdownNow();
            watchdog = null;
        }
    }

    /**
     * Closes every session whose client missed its deadline: one waiting for a command line gets
     * {@code 421 4.4.2}; one inside a command (a DATA transfer, an AUTH exchange) is cut, its message not taken.
     */
    private void cutExpired() {
        long now = System.nanoTime();
        for (Map.Entry<Session, SessionState> e : snapshot()) {
            switch (e.getValue().activity.expire(now)) {
                case IDLE -> {
                    metrics.rejected("timeout");
                    close(e.getKey(), "421 4.4.2 Timeout waiting for a command, closing connection");
                }
                case BUSY -> {
                    metrics.rejected("timeout");
                    e.getKey().quit();
                }
                case NONE -> { }
            }
        }
    }

    private synchronized List<Map.Entry<Session, SessionState>> snapshot() {
        return List.copyOf(states.entrySet());
    }

    /**
     * Refuses new sessions, closes idle ones with {@code 421 4.3.2}, and waits up to {@code timeout} for the
     * busy ones to finish their command (a DATA being received or spooled gets its reply) and close.
     *
     * @return how many sessions are still open when the wait ends (or the caller is interrupted); the caller
     *     cuts them
     */
    public int drain(Duration timeout) {
        List<Map.Entry<Session, SessionState>> snapshot;
        synchronized (this) {
            draining = true;
            snapshot = List.copyOf(states.entrySet());
        }
        for (Map.Entry<Session, SessionState> e : snapshot) {
            if (e.getValue().activity.shutdown()) {
                close(e.getKey(), "421 " + shuttingDown);
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            long left;
            try {
                while (!states.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return states.size();
        }
    }

    /**
     * Runs on a stopping or watchdog thread, for a session it claimed while idle; the session's own thread is
     * blocked reading and ends when the socket closes.
     */
    private static void close(Session session, String reply) {
        try {
            session.sendResponse(reply);
        } catch (IOException e) {
            // The client is gone already; closing is all that is left.
        }
        session.quit();
    }

    /** What a session answers, and then closes, once shutdown has begun. */
    DropConnectionException shuttingDown() {
        return new DropConnectionException(421, shuttingDown);
    }

    synchronized SessionState state(Session session) {
        SessionState state = states.get(session);
        if (state == null) {
            throw new IllegalStateException("command on a session that was not admitted");
        }
        return state;
    }

    SessionActivity activity(Session session) {
        return state(session).activity;
    }
}
