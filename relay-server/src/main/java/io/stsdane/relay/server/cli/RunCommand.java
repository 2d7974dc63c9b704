package io.stsdane.relay.server.cli;

import io.stsdane.relay.server.ConfigReloader;
import io.stsdane.relay.server.RelayApplication;
import io.stsdane.relay.server.RelayComponents;
import io.stsdane.relay.server.config.LoadedConfig;
import io.stsdane.relay.server.logging.Logging;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code relay run}: loads and logs the configuration, starts the relay, runs until SIGTERM or Ctrl-C; SIGHUP
 * reloads the configuration ({@link ConfigReloader}).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the relay in the foreground until it is stopped (SIGTERM, Ctrl-C). Logs go to stdout.",
                "SIGHUP reloads policies, server.allowed-networks, server.auth.users-file, server.tls (certificate"
                        + " and key) and the logging configuration; an invalid configuration is logged and the"
                        + " running one kept."})
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
        RelayApplication app;
        try {
            app = RelayApplication.assemble(loaded.config(), components);
        } catch (UncheckedIOException | IllegalArgumentException e) {
            // The spool cannot be opened (in use by another relay, not writable), or a file a key names is not what
            // the key says (a certificate file without a certificate): the message names the spool or the key.
            throw new CommandFailure("cannot start: " + e.getMessage());
        }
        ConfigReloader reloader = app.reloader(() -> config.load(env));
        // SIGHUP reloads (without a handler the JVM would stop on it, so it
        // is installed before the listener accepts anything); the handler runs on its own thread.
        SignalHandler before = Signal.handle(new Signal("HUP"), sig -> {
            log.info("SIGHUP: reloading the configuration");
            reloader.reload();
        });
        if (before == SignalHandler.SIG_IGN) {
            // A JVM keeps a signal ignored that was ignored when it started (nohup does that to SIGHUP).
            log.warn("SIGHUP was ignored when the relay started (nohup?) and stays ignored: a SIGHUP will not "
                    + "reload the configuration; start the relay without nohup (a service manager or a plain shell)");
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
            log.info("Stopped");
            // The JVM ends when this hook returns: what the logging still queues is written now.
            Logging.stop();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }
}
