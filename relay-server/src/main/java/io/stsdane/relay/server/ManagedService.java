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

    /** What a service does when it starts. */
    @FunctionalInterface
    interface Starter {
        void start() throws Exception;
    }

    /** A service made of a start and a stop action. */
    static ManagedService of(String name, Starter start, Runnable stop) {
        return new ManagedService() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void start() throws Exception {
                start.start();
            }

            @Override
            public void stop() {
                stop.run();
            }
        };
    }
}
