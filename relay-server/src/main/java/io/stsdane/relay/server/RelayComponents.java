package io.stsdane.relay.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.server.admin.HealthCheck;
import io.stsdane.relay.server.admin.QueueAdminPort;
import io.stsdane.relay.queue.PostgresSpool;
import io.stsdane.relay.server.config.RelayConfig;
import io.stsdane.relay.server.config.SpoolConfig;
import io.stsdane.relay.server.wiring.CheckParts;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The seam where {@code relay-server} meets the other modules: everything the commands need that a module
 * builds. Every command gets its parts here, as {@code relay run} gets the running relay's.
 * {@link io.stsdane.relay.server.wiring.ModuleComponents} is the real implementation; tests use stand-ins.
 * Implementations are used from the main thread only.
 */
public interface RelayComponents {

    /** The resolver the relay uses for the given {@code dns:} settings. */
    DnsResolver dnsResolver(DnsOptions options);

    /**
     * What {@code relay check} judges a destination with, built on {@link #dnsResolver} as delivery builds it; the
     * caller closes it.
     *
     * @param stsCache where MTA-STS policies fetched for the check are cached
     */
    default CheckParts checkParts(RelayConfig config, Path stsCache) {
        return CheckParts.build(config, dnsResolver(config.dns()), stsCache);
    }

    /**
     * The PostgreSQL queue of {@code spool.postgres.*} ({@code relay queue migrate} moves a file spool into it);
     * the caller closes it.
     *
     * @param nodeName names this process in leases
     */
    PostgresSpool queueDatabase(SpoolConfig.Postgres postgres, String nodeName);

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
     * @param queueAdmin what {@code /queue} talks to
     * @param live what a configuration reload (SIGHUP) can change in these parts
     */
    record Assembly(List<ManagedService> services, List<HealthCheck> readiness, QueueAdminPort queueAdmin,
            LiveConfig live) {
        public Assembly {
            services = List.copyOf(services);
            readiness = List.copyOf(readiness);
            Objects.requireNonNull(queueAdmin, "queueAdmin");
            Objects.requireNonNull(live, "live");
        }

        /** Parts of which nothing can be reloaded. */
        public Assembly(List<ManagedService> services, List<HealthCheck> readiness, QueueAdminPort queueAdmin) {
            this(services, readiness, queueAdmin, LiveConfig.NONE);
        }
    }
}
