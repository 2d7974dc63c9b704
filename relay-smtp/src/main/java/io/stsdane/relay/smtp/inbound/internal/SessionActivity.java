package io.stsdane.relay.smtp.inbound.internal;

/**
 * Whether a session is waiting for a command, running one, or being shut down, and the deadline by which the
 * client must have done its part. Thread-safe: the session's thread moves it between waiting and busy and sets
 * deadlines; a stopping thread or the deadline watchdog claims it (see {@link #shutdown()}, {@link #expire}).
 * The lock also orders the session's writes with the claiming thread's one 421, so the two never write at once.
 */
final class SessionActivity {

    private enum Phase { WAITING, BUSY, CLOSE_AFTER_COMMAND, CLOSED }

    /** What {@link #expire} found. */
    enum Expiry {
        /** Within its deadline, or already closing. */
        NONE,
        /** Waiting for a command past its deadline: now claimed, the caller answers 421 and closes. */
        IDLE,
        /** Inside a command (a DATA transfer, an AUTH exchange) past its deadline: the caller cuts it. */
        BUSY
    }

    private final long commandNanos;
    private Phase phase = Phase.WAITING;
    /** System.nanoTime() by which the client must finish its current part; written by the session thread. */
    private volatile long deadline;

    /** @param commandNanos the deadline for one command line or one exchange within a command */
    SessionActivity(long commandNanos) {
        this.commandNanos = commandNanos;
        this.deadline = System.nanoTime() + commandNanos;
    }

    /** The session thread starts a command; false when shutdown has already closed the session. */
    synchronized boolean begin() {
        if (phase != Phase.WAITING) {
            return false;
        }
        phase = Phase.BUSY;
        deadline = System.nanoTime() + commandNanos;
        return true;
    }

    /** The session thread finished a command (its reply is sent); true when the session must now close. */
    synchronized boolean end() {
        if (phase == Phase.CLOSE_AFTER_COMMAND || phase == Phase.CLOSED) {
            phase = Phase.CLOSED;
            return true;
        }
        phase = Phase.WAITING;
        deadline = System.nanoTime() + commandNanos;
        return false;
    }

    /** Moves the deadline of the running command (a DATA transfer earns time with every block it sends). */
    void deadline(long nanoTime) {
        deadline = nanoTime;
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

    /** The watchdog's check at {@code now} (System.nanoTime()); a session it reports is claimed for closing. */
    synchronized Expiry expire(long now) {
        if (now - deadline < 0 || phase == Phase.CLOSED) {
            return Expiry.NONE;
        }
        Expiry e = phase == Phase.WAITING ? Expiry.IDLE : Expiry.BUSY;
        phase = Phase.CLOSED;
        return e;
    }
}
