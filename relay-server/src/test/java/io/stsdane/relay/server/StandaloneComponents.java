package io.stsdane.relay.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.server.admin.DnsHealthCheck;
import io.stsdane.relay.server.admin.HealthCheck;
import io.stsdane.relay.server.admin.SpoolWritableCheck;
import io.stsdane.relay.server.config.RelayConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A test stand-in for {@link io.stsdane.relay.server.wiring.ModuleComponents}: only the readiness checks
 * (spool, and DNS when a resolver factory is given) and no mail services, so CLI and lifecycle tests run
 * without the modules.
 */
public final class StandaloneComponents implements RelayComponents {

    private final Optional<Function<DnsOptions, DnsResolver>> resolverFactory;

    /** @param resolverFactory builds the relay's resolver; empty when this build has none */
    public StandaloneComponents(Optional<Function<DnsOptions, DnsResolver>> resolverFactory) {
        this.resolverFactory = resolverFactory;
    }

    @Override
    public Optional<DnsResolver> dnsResolver(DnsOptions options) {
        return resolverFactory.map(f -> f.apply(options));
    }

    @Override
    public Assembly assemble(RelayConfig config, PrometheusMeterRegistry registry) {
        List<HealthCheck> readiness = new ArrayList<>();
        readiness.add(new SpoolWritableCheck(config.spool().dir(), config.spool().minFreeDisk()));
        dnsResolver(config.dns()).ifPresent(r ->
                readiness.add(new DnsHealthCheck(r, DnsHealthCheck.DEFAULT_PROBE, Duration.ofSeconds(10))));
        return new Assembly(List.of(), readiness, Optional.empty());
    }
}
