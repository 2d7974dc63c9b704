package io.stsdane.relay.smtp.inbound;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.smtp.inbound.internal.Listener;
import io.stsdane.relay.smtp.inbound.internal.ServerFactory;
import java.time.Clock;

/**
 * The submission listener: ESMTP with STARTTLS, AUTH, PIPELINING, SIZE, 8BITMIME, SMTPUTF8, DSN and REQUIRETLS;
 * relays only for allowed networks or authenticated users; hands each message to a {@link MessageIntake} and
 * answers 250 only once the message is durable.
 *
 * <p>Construction reads the users file and TLS files and fails with a message naming the bad file or line.
 * {@link #start()} and {@link #stop()} are thread-safe; {@link #port()} is valid after {@link #start()}.
 */
public final class InboundServer implements AutoCloseable {

    private final Listener listener;

    /** Without a resolver: for options whose SPF check is off. */
    public InboundServer(InboundOptions options, MessageIntake intake, MeterRegistry registry) {
        this(options, null, intake, registry, Clock.systemUTC());
    }

    /** Without a resolver: for options whose SPF check is off. */
    public InboundServer(InboundOptions options, MessageIntake intake) {
        this(options, null, intake, new SimpleMeterRegistry(), Clock.systemUTC());
    }

    /**
     * @param dns where the SPF check (RFC 7208) asks: the relay's resolver, so that the check has its servers,
     *     failover, timeouts and metrics; null only when the options turn the check off
     * @throws IllegalArgumentException when the SPF check is on and {@code dns} is null
     */
    public InboundServer(InboundOptions options, DnsResolver dns, MessageIntake intake, MeterRegistry registry) {
        this(options, dns, intake, registry, Clock.systemUTC());
    }

    /** With a clock for the Received and Date headers and the AUTH failure window. */
    public InboundServer(InboundOptions options, DnsResolver dns, MessageIntake intake, MeterRegistry registry,
            Clock clock) {
        this.listener = ServerFactory.create(options, dns, intake, registry, clock);
    }

    /** Binds and starts accepting connections. */
    public void start() {
        listener.start();
    }

    /**
     * Drains, then stops; returns once every session thread has ended. New connections and every command in an
     * idle session get {@code 421 4.3.2} and are closed at once. A session running a command, above all a DATA
     * being received or spooled, finishes it and gets its reply (so a queued message gets its 250 and is not
     * sent again), then {@code 421 4.3.2} and close. Sessions still busy after
     * {@link InboundOptions#drainTimeout()} are cut: a message in DATA is then not acknowledged, and the client
     * resends it.
     */
    public void stop() {
        listener.stop();
    }

    /**
     * Puts the allowed networks, the AUTH users file and the STARTTLS certificate and key of {@code options} in
     * force (configuration reload, SIGHUP); sessions see them from their next command. The files are read first:
     * when one is missing or malformed this throws and nothing changes. Other options need a restart.
     *
     * @throws IllegalArgumentException when a file is malformed
     * @throws java.io.UncheckedIOException when a file cannot be read
     */
    public void reload(InboundOptions options) {
        listener.reload(options);
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return listener.port();
    }

    @Override
    public void close() {
        stop();
    }
}
