package io.stsdane.relay.smtp.inbound.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * Admits sessions up to the limit ({@code 421 4.7.0} beyond it), keeps each session's {@link SessionState},
 * and drains them at shutdown. Thread-safe: guarded by its own monitor, which {@link #drain} also waits on.
 */
public final class Sessions implements SessionHandler {

    private final Map<Session, SessionState> states = new HashMap<>();
    private final AtomicInteger open;
    private final int max;
    private final InboundMetrics metrics;
    /** Text after the 421 code: RFC 3463 §3.4 4.3.2 "system not accepting network messages", a planned stop. */
    private final String shuttingDown;
    private boolean draining;

    /** @param hostname named in the {@code 421 4.3.2} shutdown reply */
    public Sessions(int max, AtomicInteger open, InboundMetrics metrics, String hostname) {
        this.max = max;
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
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            metrics.rejected("too-many-sessions");
            return SessionAcceptance.failure(421, "4.7.0 Too many connections, try again later");
        }
        states.put(session, new SessionState(session.getRemoteAddress().getAddress()));
        return SessionAcceptance.success();
    }

    @Override
    public synchronized void onSessionEnd(Session session) {
        if (states.remove(session) != null) {
            open.decrementAndGet();
            notifyAll();
        }
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
                closeIdle(e.getKey());
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

    /** Runs on the stopping thread; the session's own thread is blocked reading and ends when the socket closes. */
    private void closeIdle(Session session) {
        try {
            session.sendResponse("421 " + shuttingDown);
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
