package io.stsdane.relay.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.queue.PostgresSpool;
import io.stsdane.relay.server.admin.DnsHealthCheck;
import io.stsdane.relay.server.admin.SpoolWritableCheck;
import io.stsdane.relay.server.config.RelayConfig;
import io.stsdane.relay.server.config.SpoolConfig;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * A test stand-in for {@link io.stsdane.relay.server.wiring.ModuleComponents}: a resolver of the test's choosing,
 * {@code relay check}'s parts built on it (as the seam builds them), the readiness checks (spool, DNS), a
 * {@link FakeQueueAdmin} behind {@code /queue}, and no mail services and no database, so CLI and lifecycle tests
 * run without the modules.
 */
public final class StandaloneComponents implements RelayComponents {

    private final Function<DnsOptions, DnsResolver> resolverFactory;

    /** For commands that resolve nothing: the resolver knows no name. */
    public StandaloneComponents() {
        this(options -> new InMemoryDnsResolver());
    }

    /** @param resolverFactory builds the relay's resolver from the {@code dns:} settings */
    public StandaloneComponents(Function<DnsOptions, DnsResolver> resolverFactory) {
        this.resolverFactory = resolverFactory;
    }

    @Override
    public DnsResolver dnsResolver(DnsOptions options) {
        return resolverFactory.apply(options);
    }

    @Override
    public PostgresSpool queueDatabase(SpoolConfig.Postgres postgres, String nodeName) {
        throw new UnsupportedOperationException("the stand-in has no database: test with ModuleComponents");
    }

    @Override
    public Assembly assemble(RelayConfig config, PrometheusMeterRegistry registry) {
        return new Assembly(List.of(), List.of(
                new SpoolWritableCheck(config.spool().dir(), config.spool().minFreeDisk()),
                new DnsHealthCheck(dnsResolver(config.dns()), DnsHealthCheck.DEFAULT_PROBE, Duration.ofSeconds(10))),
                new FakeQueueAdmin());
    }
}
