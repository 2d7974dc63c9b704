package io.stsdane.relay.smtp.inbound;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.smtp.inbound.internal.ServerFactory;
import java.time.Clock;
import org.subethamail.smtp.server.SMTPServer;

/**
 * The submission listener: ESMTP with STARTTLS, AUTH, PIPELINING, SIZE, 8BITMIME, SMTPUTF8, DSN and REQUIRETLS;
 * relays only for allowed networks or authenticated users; hands each message to a {@link MessageIntake} and
 * answers 250 only once the message is durable.
 *
 * <p>Construction reads the users file and TLS files and fails with a message naming the bad file or line.
 * {@link #start()} and {@link #stop()} are thread-safe; {@link #port()} is valid after {@link #start()}.
 */
public final class InboundServer implements AutoCloseable {

    private final SMTPServer server;

    public InboundServer(InboundOptions options, MessageIntake intake, MeterRegistry registry) {
        this(options, intake, registry, Clock.systemUTC());
    }

    public InboundServer(InboundOptions options, MessageIntake intake) {
        this(options, intake, new SimpleMeterRegistry(), Clock.systemUTC());
    }

    /** With a clock for the Received and Date headers and the AUTH failure window. */
    public InboundServer(InboundOptions options, MessageIntake intake, MeterRegistry registry, Clock clock) {
        this.server = ServerFactory.create(options, intake, registry, clock);
    }

    /** Binds and starts accepting connections. */
    public synchronized void start() {
        server.start();
    }

    /** Stops accepting, closes open sessions (a message in DATA is not queued) and waits for their threads. */
    public synchronized void stop() {
        if (server.isRunning()) {
            server.stop();
        }
        ServerFactory.shutdown(server);
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getPortAllocated();
    }

    @Override
    public void close() {
        stop();
    }
}
