package io.stsdane.relay.smtp.outbound;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stsdane.relay.core.delivery.DeliveryAttempt;
import io.stsdane.relay.core.delivery.DeliveryObserver;
import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.core.tls.TlsPolicySource;
import io.stsdane.relay.core.tls.TlsSessionResult;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Test servers on loopback addresses sharing one port (the engine's {@code delivery.port}), an in-memory DNS,
 * a recording TLS reporter, and the engine under test. Close it after each test.
 */
final class EngineFixture implements AutoCloseable {

    final InMemoryDnsResolver dns = new InMemoryDnsResolver().addressesOnAnotherThread();
    final List<TlsSessionResult> reports = new CopyOnWriteArrayList<>();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    /** What the engine's {@link DeliveryObserver} heard: every attempt, then every run's outcomes. */
    final List<DeliveryAttempt> attempts = new CopyOnWriteArrayList<>();
    final List<List<RecipientOutcome>> concluded = new CopyOnWriteArrayList<>();
    private final List<TestSmtpServer> servers = new ArrayList<>();
    private DeliveryEngine engine;
    private int port;

    /** A server on {@code ip}; the first one picks the port every later one (and the engine) uses. */
    TestSmtpServer server(String ip, SmtpBehavior behavior) {
        TestSmtpServer s = TestSmtpServer.start(addr(ip), port, behavior);
        port = s.port();
        servers.add(s);
        return s;
    }

    /** The port of the servers; picks one by starting and stopping a throwaway server when none started yet. */
    int port() {
        if (port == 0) {
            try (TestSmtpServer probe = TestSmtpServer.start(SmtpBehavior.plain())) {
                port = probe.port();
            }
        }
        return port;
    }

    /** {@code domain} has one insecure MX {@code mxHost} at {@code ip}. */
    EngineFixture oneMx(String domain, String mxHost, String ip) {
        dns.mx(domain, DnsSecurity.INSECURE, new MxRecord(10, mxHost));
        dns.address(mxHost, DnsSecurity.INSECURE, addr(ip));
        return this;
    }

    /** {@code example.test} has the single MX {@code mxHost}: a server on 127.0.0.1 behaving as {@code b}. */
    TestSmtpServer singleMx(String mxHost, SmtpBehavior b) {
        TestSmtpServer s = server("127.0.0.1", b);
        oneMx("example.test", mxHost, "127.0.0.1");
        return s;
    }

    DeliveryEngine engine(List<TlsPolicySource> sources) {
        return engine(sources, b -> { });
    }

    DeliveryEngine engine(List<TlsPolicySource> sources, Consumer<DeliveryOptions.Builder> tweak) {
        DeliveryOptions.Builder b = DeliveryOptions.builder("relay.origin.test")
                .port(port())
                .connectTimeout(Duration.ofSeconds(5))
                .timeouts(SmtpTimeouts.uniform(Duration.ofSeconds(10)))
                .idleTimeout(Duration.ofSeconds(10))
                // The test servers listen on 127.0.0.x, which the default delivery.denied-networks refuses.
                .deniedNetworks(List.of())
                .hostsFile(HostsFile.parse(""));
        tweak.accept(b);
        engine = new DeliveryEngine(b.build(), dns, sources, reports::add, meters, new DeliveryObserver() {
            @Override
            public void attempted(DeliveryRequest request, DeliveryAttempt attempt) {
                attempts.add(attempt);
            }

            @Override
            public void concluded(DeliveryRequest request, List<RecipientOutcome> outcomes) {
                concluded.add(outcomes);
            }
        });
        return engine;
    }

    List<RecipientOutcome> deliver(DeliveryRequest r) {
        try {
            return engine.deliver(r).toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("deliver must complete normally", e);
        }
    }

    static InetAddress addr(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
        servers.forEach(TestSmtpServer::close);
    }
}
