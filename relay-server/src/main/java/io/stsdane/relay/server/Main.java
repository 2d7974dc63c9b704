package io.stsdane.relay.server;

import io.stsdane.relay.server.cli.CheckCommand;
import io.stsdane.relay.server.cli.CommandFailure;
import io.stsdane.relay.server.cli.ConfigCommand;
import io.stsdane.relay.server.cli.DkimCommand;
import io.stsdane.relay.server.cli.QueueCommand;
import io.stsdane.relay.server.cli.RelayCommand;
import io.stsdane.relay.server.cli.RunCommand;
import io.stsdane.relay.server.config.ConfigException;
import io.stsdane.relay.server.logging.Logging;
import io.stsdane.relay.server.wiring.ModuleComponents;
import java.util.Map;
import picocli.CommandLine;

/**
 * Entry point of {@code relay.jar}: {@code relay run | check | queue | config | dkim | --version | --help}.
 * Exit codes: 0 success, 1 failure, 2 invalid command line.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        routeLogs(args, System.getenv());
        RelayComponents components = new ModuleComponents();
        int status = commandLine(components, System.getenv()).execute(args);
        Logging.stop();
        System.exit(status);
    }

    /**
     * Sends the logs of every command but {@code run} to stderr, warnings only (the relay's own loggers follow
     * {@code RELAY_LOG_LEVEL} when it is set), so that stdout carries the command's output alone
     * ({@code relay check --json | jq}).
     * Must run before the first logger is created: logback reads these properties when it configures itself
     * (logback-base.xml).
     */
    static void routeLogs(String[] args, Map<String, String> env) {
        if (args.length > 0 && args[0].equals("run")) {
            return;
        }
        System.setProperty("relay.log.target", "System.err");
        System.setProperty("relay.log.level", env.getOrDefault("RELAY_LOG_LEVEL", "WARN"));
        System.setProperty("relay.log.root-level", "WARN");
    }

    /**
     * The command line with every subcommand, using {@code components} for what the modules build and
     * {@code env} for {@code RELAY_*} configuration overrides.
     */
    public static CommandLine commandLine(RelayComponents components, Map<String, String> env) {
        CommandLine cl = new CommandLine(new RelayCommand())
                .addSubcommand(new RunCommand(components, env))
                .addSubcommand(new CheckCommand(components, env))
                .addSubcommand(QueueCommand.commandLine(components, env))
                .addSubcommand(new ConfigCommand(env))
                .addSubcommand(new DkimCommand(components, env));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException) {
                cmd.getErr().println("relay: configuration error: " + e.getMessage());
            } else if (e instanceof CommandFailure) {
                cmd.getErr().println("relay: " + e.getMessage());
            } else {
                cmd.getErr().println("relay: " + e);
                e.printStackTrace(cmd.getErr());
            }
            cmd.getErr().flush();
            return CommandLine.ExitCode.SOFTWARE;
        });
        return cl;
    }
}
