package io.stsdane.relay.server.cli;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stsdane.relay.server.RelayApplication;
import io.stsdane.relay.server.RelayComponents;
import io.stsdane.relay.server.config.LoadedConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code relay run}: loads and logs the configuration, starts the relay, runs until SIGTERM or Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the relay in the foreground until it is stopped (SIGTERM, Ctrl-C).")
public final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    ConfigOption config;

    private final RelayComponents components;
    private final Map<String, String> env;

    public RunCommand(RelayComponents components, Map<String, String> env) {
        this.components = components;
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        LoadedConfig loaded = config.load(env);
        log.info("Effective configuration ({}, then RELAY_* environment overrides):\n{}",
                config.file == null ? "embedded defaults" : config.file, loaded.effectiveYaml());
        loaded.warnings().forEach(w -> log.warn("Configuration: {}", w));
        PrometheusMeterRegistry registry = RelayApplication.newRegistry();
        RelayApplication app;
        try {
            app = new RelayApplication(loaded.config(), registry, components.assemble(loaded.config(), registry));
        } catch (UncheckedIOException e) {
            // The spool cannot be opened (in use by another relay, not writable): the message names it.
            throw new CommandFailure("cannot start: " + e.getMessage());
        }
        try {
            app.start();
        } catch (IOException e) {
            // Ports in use, an unwritable spool: the operator's to fix, the message says where.
            throw new CommandFailure("cannot start: " + e.getMessage());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("Shutting down");
            app.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }
}
