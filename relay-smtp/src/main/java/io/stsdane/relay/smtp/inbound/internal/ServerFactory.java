package io.stsdane.relay.smtp.inbound.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.smtp.inbound.InboundOptions;
import io.stsdane.relay.smtp.inbound.SpfMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.subethamail.smtp.server.SMTPServer;

/** Assembles a configured SubEthaSMTP server from {@link InboundOptions}. */
public final class ServerFactory {

    private ServerFactory() {
    }

    /**
     * @param dns where the SPF check asks; null only when the options turn the check off
     * @throws IllegalArgumentException when a file named by the options is malformed (the message says which), or
     *     the SPF check is on without a resolver
     * @throws UncheckedIOException when such a file cannot be read
     */
    public static Listener create(InboundOptions options, DnsResolver dns, MessageIntake intake,
                                  MeterRegistry registry, Clock clock) {
        if (options.spfMode() != SpfMode.OFF && dns == null) {
            throw new IllegalArgumentException("the SPF check (" + options.spfMode() + ") needs a DNS resolver");
        }
        AtomicInteger open = new AtomicInteger();
        InboundMetrics metrics = new InboundMetrics(registry, open);
        InboundContext ctx = new InboundContext(options, intake, new AtomicReference<>(reloadable(options)),
                new AuthThrottle(options.maxAuthFailures(), options.authFailureWindow(),
                        options.authFailureDelay(), options.authParallelChecks(), clock),
                options.spfMode() == SpfMode.OFF ? null
                        : new SpfCheck(options.spfMode(), options.spfEgressIp(), options.hostname(), dns),
                metrics, clock, new Sessions(options.maxSessions(), options.maxSessionsPerIp(),
                        new NetworkAcl(options.perIpLimitExceptions()), options.commandTimeout(), open, metrics,
                        options.hostname()));
        // Sessions beyond maxSessions still need a thread to be told 421; SubEthaSMTP queues the rest in the
        // listen backlog. The queue is unbounded but can never hold more than the overflow: SubEthaSMTP
        // admits at most maxConnections sessions at once.
        int overflow = Math.max(4, options.maxSessions() / 10);
        int threads = options.maxSessions() + overflow;
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "smtp-in");
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
        SMTPServer server = SMTPServer.port(options.listen().getPort())
                .bindAddress(options.listen().getAddress())
                .hostName(options.hostname())
                .softwareName("sts-dane-relay")
                .executorService(executor)
                .maxConnections(threads)
                // The deadline watchdog (Sessions) answers an expired command with one 421 4.4.2 within a
                // quarter of the timeout; the socket timeout is only its backstop, set later so that the two never
                // both answer the same session.
                .connectionTimeoutMs((int) Math.min(Integer.MAX_VALUE, options.commandTimeout().toMillis() * 2))
                .sessionHandler(ctx.sessions())
                .build();
        CommandTable.install(server.getCommandHandler(), ctx);
        return new Listener(server, ctx.sessions(), executor, options.drainTimeout(),
                o -> ctx.reloadable().set(reloadable(o)));
    }

    /**
     * The parts of {@code options} a reload can change, read and parsed now.
     *
     * @throws IllegalArgumentException when a file named by the options is malformed (the message says which)
     * @throws UncheckedIOException when such a file cannot be read
     */
    static InboundContext.Reloadable reloadable(InboundOptions options) {
        return new InboundContext.Reloadable(new NetworkAcl(options.allowedNetworks()), users(options),
                tls(options));
    }

    private static UserDirectory users(InboundOptions options) {
        if (options.usersFile() == null) {
            return null;
        }
        try {
            return UserDirectory.load(options.usersFile());
        } catch (IOException e) {
            throw new UncheckedIOException("usersFile " + options.usersFile() + " cannot be read", e);
        }
    }

    private static SSLContext tls(InboundOptions options) {
        if (options.tlsContext() != null) {
            return options.tlsContext();
        }
        if (options.tlsCertificate() == null) {
            return null;
        }
        try {
            return TlsContexts.fromPem(options.tlsCertificate(), options.tlsKey());
        } catch (IOException e) {
            throw new UncheckedIOException("tlsCertificate " + options.tlsCertificate() + " or tlsKey "
                    + options.tlsKey() + " cannot be read", e);
        }
    }
}
