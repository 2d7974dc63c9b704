package io.stsdane.relay.server.logging;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/**
 * The end of the process's logging. The console is written by {@link BatchingConsoleAppender}'s writer thread
 * (logback-base.xml), a daemon that would die with the JVM holding lines still queued: stopping the logging
 * context writes them first. Logs after {@link #stop()} are dropped, so it runs last.
 */
public final class Logging {

    private Logging() {
    }

    /** Writes every queued line and closes the appenders; does nothing when logback is not the backend. */
    public static void stop() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext lc) {
            lc.stop();
        }
    }
}
