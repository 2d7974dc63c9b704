package io.stsdane.relay.junit.internal;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stsdane.relay.core.delivery.DeliveryObserver;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.server.RelayApplication;
import io.stsdane.relay.server.RelayComponents;
import io.stsdane.relay.server.admin.QueueAdminPort;
import io.stsdane.relay.server.config.ConfigLoader;
import io.stsdane.relay.server.config.RelayConfig;
import io.stsdane.relay.server.wiring.ModuleComponents;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The whole relay as {@code relay run} starts it (configuration file through the config loader, every module
 * wired by {@link ModuleComponents}), in this JVM, with a {@link DeliveryObserver}. Not thread-safe.
 */
public final class EmbeddedRelay implements AutoCloseable {

    private final RelayApplication app;
    private final RelayConfig config;
    private final QueueAdminPort queue;

    private EmbeddedRelay(RelayApplication app, RelayConfig config, QueueAdminPort queue) {
        this.app = app;
        this.config = config;
        this.queue = queue;
    }

    /** Loads {@code configFile} as {@code relay run --config} would (no environment overrides) and starts. */
    public static EmbeddedRelay start(Path configFile, DeliveryObserver observer) throws Exception {
        RelayConfig config = ConfigLoader.load(Optional.of(configFile), Map.of()).config();
        PrometheusMeterRegistry registry = RelayApplication.newRegistry();
        RelayComponents.Assembly assembly = new ModuleComponents(observer).assemble(config, registry);
        RelayApplication app = new RelayApplication(config, registry, assembly);
        app.start();
        return new EmbeddedRelay(app, config, assembly.queueAdmin());
    }

    /** The address and port of the SMTP listener ({@code server.listen}). */
    public java.net.InetSocketAddress smtpAddress() {
        return config.server().listen().toResolved();
    }

    /** Deletes every queued message, without DSNs. */
    public void clearQueue() {
        queue.list().forEach(m -> queue.delete(new QueueId(m.id())));
    }

    @Override
    public void close() {
        app.close();
    }
}
