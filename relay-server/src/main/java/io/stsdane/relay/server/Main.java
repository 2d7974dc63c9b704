package io.stsdane.relay.server;

import io.stsdane.relay.server.cli.CheckCommand;
import io.stsdane.relay.server.cli.CommandFailure;
import io.stsdane.relay.server.cli.DkimCommand;
import io.stsdane.relay.server.cli.QueueCommand;
import io.stsdane.relay.server.cli.RelayCommand;
import io.stsdane.relay.server.cli.RunCommand;
import io.stsdane.relay.server.config.ConfigException;
import io.stsdane.relay.server.wiring.ModuleComponents;
import java.util.Map;
import picocli.CommandLine;

/**
 * Entry point of {@code relay.jar}: {@code relay run | check | queue | dkim | --version | --help}.
 * Exit codes: 0 success, 1 failure, 2 invalid command line.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        RelayComponents components = new ModuleComponents();
        System.exit(commandLine(components, System.getenv()).execute(args));
    }

    /**
     * The command line with every subcommand, using {@code components} for what the modules build and
     * {@code env} for {@code RELAY_*} configuration overrides.
     */
    public static CommandLine commandLine(RelayComponents components, Map<String, String> env) {
        CommandLine cl = new CommandLine(new RelayCommand())
                .addSubcommand(new RunCommand(components, env))
                .addSubcommand(new CheckCommand(components, env))
                .addSubcommand(new QueueCommand(env))
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
