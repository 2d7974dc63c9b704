package io.stsdane.relay.smtp.inbound.internal;

/**
 * Whether a session is waiting for a command, running one, or being shut down. Thread-safe: the session's
 * thread moves it between waiting and busy, and a stopping thread claims it (see {@link #shutdown()}). The lock
 * also orders the session's writes with the stopping thread's one 421, so the two never write at once.
 */
final class SessionActivity {

    private enum Phase { WAITING, BUSY, CLOSE_AFTER_COMMAND, CLOSED }

    private Phase phase = Phase.WAITING;

    /** The session thread starts a command; false when shutdown has already closed the session. */
    synchronized boolean begin() {
        if (phase != Phase.WAITING) {
            return false;
        }
        phase = Phase.BUSY;
        return true;
    }

    /** The session thread finished a command (its reply is sent); true when the session must now close. */
    synchronized boolean end() {
        if (phase == Phase.CLOSE_AFTER_COMMAND || phase == Phase.CLOSED) {
            phase = Phase.CLOSED;
            return true;
        }
        phase = Phase.WAITING;
        return false;
    }

    /**
     * Shutdown claims the session. A waiting session is the caller's to close now (true); a busy one finishes
     * its command, which may be a DATA being spooled, and closes itself afterwards (false).
     */
    synchronized boolean shutdown() {
        if (phase == Phase.WAITING) {
            phase = Phase.CLOSED;
            return true;
        }
        if (phase == Phase.BUSY) {
            phase = Phase.CLOSE_AFTER_COMMAND;
        }
        return false;
    }
}
