package io.stsdane.relay.server;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stsdane.relay.server.admin.AdminServer;
import io.stsdane.relay.server.admin.QueueAdminPort;
import io.stsdane.relay.server.config.ConfigLoader;
import io.stsdane.relay.core.net.HostPort;
import io.stsdane.relay.server.config.RelayConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running relay: creates the spool directory, starts the admin server first (so liveness and metrics
 * answer while the rest starts), then every {@link ManagedService} in order; {@link #close()} stops them in
 * reverse. A failed start stops what had started and rethrows. Not thread-safe: start and close from one
 * thread (close may come from a shutdown hook once {@link #start()} has returned).
 *
 * <p>{@link #assemble} builds the relay as {@code relay run} does; {@link #start(Path, RelayComponents)} also
 * loads its configuration file and starts it, for a relay embedded in a JVM of its own (tests, relay-junit).
 */
public final class RelayApplication implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RelayApplication.class);

    private final RelayConfig config;
    private final PrometheusMeterRegistry registry;
    private final RelayComponents.Assembly assembly;
    private final Deque<ManagedService> running = new ArrayDeque<>();
    private AdminServer admin;

    public RelayApplication(RelayConfig config, PrometheusMeterRegistry registry, RelayComponents.Assembly assembly) {
        this.config = config;
        this.registry = registry;
        this.assembly = assembly;
    }

    /**
     * The relay of {@code config}, its parts built by {@code components} (not started yet), its meters in a
     * {@link #newRegistry() new registry}: what {@code relay run} runs.
     */
    public static RelayApplication assemble(RelayConfig config, RelayComponents components) {
        PrometheusMeterRegistry registry = newRegistry();
        return new RelayApplication(config, registry, components.assemble(config, registry));
    }

    /**
     * Loads {@code configFile} as {@code relay run --config} does (without {@code RELAY_*} environment overrides),
     * {@link #assemble assembles} the relay with {@code components} and starts it; the caller closes it.
     */
    public static RelayApplication start(Path configFile, RelayComponents components) throws Exception {
        RelayApplication app = assemble(ConfigLoader.load(Optional.of(configFile), Map.of()).config(), components);
        app.start();
        return app;
    }

    /** A registry with the JVM and process meters every deployment wants. */
    public static PrometheusMeterRegistry newRegistry() {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(r);
        new JvmGcMetrics().bindTo(r);
        new JvmThreadMetrics().bindTo(r);
        new ClassLoaderMetrics().bindTo(r);
        new ProcessorMetrics().bindTo(r);
        new UptimeMetrics().bindTo(r);
        return r;
    }

    public void start() throws Exception {
        SpoolDirectory.prepare(config.spool().dir());
        try {
            admin = startAdmin();
            for (ManagedService s : assembly.services()) {
                log.info("Starting {}", s.name());
                s.start();
                running.push(s);
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
        if (assembly.services().isEmpty()) {
            log.warn("No mail services are wired into this build: the relay serves the admin API only and"
                    + " accepts no mail");
        }
    }

    private AdminServer startAdmin() throws IOException {
        HostPort listen = config.admin().listen();
        AdminServer server;
        try {
            server = AdminServer.start(listen.toResolved(), registry, assembly.readiness(),
                    Optional.of(assembly.queueAdmin()),
                    config.admin().token());
        } catch (IOException e) {
            throw new IOException("admin.listen " + listen + ": cannot listen (" + e.getMessage() + ")", e);
        }
        if (!server.address().getAddress().isLoopbackAddress()) {
            log.warn("The admin API on {} is not on loopback: anyone who can reach it can read the queue and the"
                    + " metrics (changes need the admin.token-file token); make sure only trusted hosts can reach"
                    + " it", listen);
        }
        return server;
    }

    /** The configuration this relay runs with. */
    public RelayConfig config() {
        return config;
    }

    /** Where the SMTP listener accepts mail ({@code server.listen}). */
    public InetSocketAddress smtpAddress() {
        return config.server().listen().toResolved();
    }

    /** The relay's meters, as {@code /metrics} shows them. */
    public PrometheusMeterRegistry meters() {
        return registry;
    }

    /** What {@code /queue} of the admin API talks to. */
    public QueueAdminPort queueAdmin() {
        return assembly.queueAdmin();
    }

    /** The reload a SIGHUP runs: configurations from {@code source} applied to this relay's parts. */
    public ConfigReloader reloader(ConfigReloader.Source source) {
        return new ConfigReloader(source, config, assembly.live());
    }

    /** Where the admin server listens; only valid after {@link #start()}. */
    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    @Override
    public void close() {
        while (!running.isEmpty()) {
            ManagedService s = running.pop();
            log.info("Stopping {}", s.name());
            try {
                s.stop();
            } catch (RuntimeException e) {
                log.error("Stopping {} failed", s.name(), e);
            }
        }
        if (admin != null) {
            admin.close();
            admin = null;
        }
    }
}
