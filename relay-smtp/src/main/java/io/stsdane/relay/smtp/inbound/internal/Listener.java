package io.stsdane.relay.smtp.inbound.internal;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.server.SMTPServer;

/**
 * A configured SubEthaSMTP server with the sessions and threads it runs on, and the drain that stops it
 * without cutting a message that is already being received. Thread-safe.
 */
public final class Listener {

    private static final Logger LOG = LoggerFactory.getLogger(Listener.class);

    private final SMTPServer server;
    private final Sessions sessions;
    private final ExecutorService executor;
    private final Duration drainTimeout;

    Listener(SMTPServer server, Sessions sessions, ExecutorService executor, Duration drainTimeout) {
        this.server = server;
        this.sessions = sessions;
        this.executor = executor;
        this.drainTimeout = drainTimeout;
    }

    public synchronized void start() {
        server.start();
        sessions.startWatchdog();
    }

    /**
     * Drains, then stops. A session cut after the drain timeout has not had its 250, so a client resends: at
     * worst a duplicate, never a loss. Its thread is interrupted so that a stuck queue write cannot hold the
     * stop forever (SubEthaSMTP waits for every session thread without a limit).
     */
    public synchronized void stop() {
        sessions.stopWatchdog();
        if (server.isRunning()) {
            int busy = sessions.drain(drainTimeout);
            if (busy > 0) {
                LOG.warn("{} SMTP session(s) still busy after the {} ms drain; cutting them, their clients will "
                        + "resend (raise the listener's drainTimeout if this happens at every stop)", busy,
                        drainTimeout.toMillis());
                executor.shutdownNow();
            }
            server.stop();
        }
        // SubEthaSMTP's stop() shuts down only its own default executor.
        executor.shutdownNow();
    }

    public int port() {
        return server.getPortAllocated();
    }
}
