package io.stsdane.relay.server;

/**
 * A part of the relay with a lifecycle (queue, delivery engine, SMTP listener...), started and stopped by
 * {@link RelayApplication}. Implementations say in their own Javadoc which threads they use.
 */
public interface ManagedService {

    /** A short name for logs, for example {@code smtp-listener}. */
    String name();

    /** Starts the service; returns once it is serving. A failure stops the relay's start-up. */
    void start() throws Exception;

    /** Stops the service, waiting for work in progress as long as is safe; must not throw. */
    void stop();
}
