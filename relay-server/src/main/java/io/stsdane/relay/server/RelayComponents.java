package io.stsdane.relay.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.server.admin.HealthCheck;
import io.stsdane.relay.server.admin.QueueAdminPort;
import io.stsdane.relay.server.config.RelayConfig;
import java.util.List;
import java.util.Optional;

/**
 * The seam where {@code relay-server} meets the other modules: everything the commands need that a module
 * builds. {@link io.stsdane.relay.server.wiring.ModuleComponents} is the real implementation; tests use
 * stand-ins. Implementations are used from the main thread only.
 */
public interface RelayComponents {

    /** The resolver the relay uses for the given {@code dns:} settings; empty while none is wired. */
    Optional<DnsResolver> dnsResolver(DnsOptions options);

    /**
     * Builds the running relay's parts from the configuration, without starting them.
     *
     * @param registry where every part registers its meters
     */
    Assembly assemble(RelayConfig config, PrometheusMeterRegistry registry);

    /**
     * What {@link RelayApplication} runs.
     *
     * @param services started in this order, stopped in reverse (for example queue, delivery, listener)
     * @param readiness the checks behind {@code /health/ready}
     * @param queueAdmin what {@code /queue} talks to; empty while no queue is wired
     * @param live what a configuration reload (SIGHUP) can change in these parts
     */
    record Assembly(List<ManagedService> services, List<HealthCheck> readiness, Optional<QueueAdminPort> queueAdmin,
            LiveConfig live) {
        public Assembly {
            services = List.copyOf(services);
            readiness = List.copyOf(readiness);
            java.util.Objects.requireNonNull(live, "live");
        }

        /** Parts of which nothing can be reloaded. */
        public Assembly(List<ManagedService> services, List<HealthCheck> readiness,
                Optional<QueueAdminPort> queueAdmin) {
            this(services, readiness, queueAdmin, LiveConfig.NONE);
        }
    }
}
