package io.stsdane.relay.smtp.inbound.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.subethamail.smtp.server.Session;
import org.subethamail.smtp.server.SessionHandler;

/**
 * Admits sessions up to the limit ({@code 421 4.7.0} beyond it) and keeps each session's {@link SessionState}.
 * Thread-safe.
 */
public final class Sessions implements SessionHandler {

    private final Map<Session, SessionState> states = new ConcurrentHashMap<>();
    private final AtomicInteger open;
    private final int max;
    private final InboundMetrics metrics;

    public Sessions(int max, AtomicInteger open, InboundMetrics metrics) {
        this.max = max;
        this.open = open;
        this.metrics = metrics;
    }

    @Override
    public SessionAcceptance accept(Session session) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            metrics.rejected("too-many-sessions");
            return SessionAcceptance.failure(421, "4.7.0 Too many connections, try again later");
        }
        states.put(session, new SessionState(session.getRemoteAddress().getAddress()));
        return SessionAcceptance.success();
    }

    @Override
    public void onSessionEnd(Session session) {
        if (states.remove(session) != null) {
            open.decrementAndGet();
        }
    }

    SessionState state(Session session) {
        SessionState state = states.get(session);
        if (state == null) {
            throw new IllegalStateException("command on a session that was not admitted");
        }
        return state;
    }
}
