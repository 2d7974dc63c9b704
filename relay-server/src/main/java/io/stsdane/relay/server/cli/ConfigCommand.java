package io.stsdane.relay.server.cli;

import io.stsdane.relay.server.config.LoadedConfig;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code relay config check | show}: validates the configuration as {@code relay run} would (as
 * {@code postfix check}), or prints the effective configuration with the defaults and environment overrides
 * applied and secrets masked (as {@code postconf}).
 */
@Command(name = "config", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
        description = "Check the configuration, or show the effective configuration.")
public final class ConfigCommand implements Runnable {

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;

    public ConfigCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing config command (check or show)");
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate the configuration (file, then RELAY_* environment overrides) as relay run does;"
                    + " warnings go to stderr.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:valid", "1:invalid (the message names the key)", "2:invalid command line"})
    int check(@Mixin ConfigOption config) throws Exception {
        LoadedConfig loaded = config.load(env);
        warn(loaded);
        PrintWriter out = spec.commandLine().getOut();
        out.println("configuration OK: " + (config.file == null ? "embedded defaults" : config.file)
                + " with the RELAY_* environment overrides");
        out.flush();
        return 0;
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print the effective configuration as YAML: the embedded defaults, the file, then the"
                    + " RELAY_* environment overrides; passwords masked.")
    int show(@Mixin ConfigOption config) throws Exception {
        LoadedConfig loaded = config.load(env);
        warn(loaded);
        PrintWriter out = spec.commandLine().getOut();
        out.print(loaded.effectiveYaml());
        out.flush();
        return 0;
    }

    private void warn(LoadedConfig loaded) {
        PrintWriter err = spec.commandLine().getErr();
        loaded.warnings().forEach(w -> err.println("relay config: warning: " + w));
        err.flush();
    }
}
