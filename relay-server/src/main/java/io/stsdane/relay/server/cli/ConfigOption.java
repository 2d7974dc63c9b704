package io.stsdane.relay.server.cli;

import io.stsdane.relay.server.config.ConfigException;
import io.stsdane.relay.server.config.ConfigLoader;
import io.stsdane.relay.server.config.LoadedConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by the commands that read the configuration. */
public final class ConfigOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Configuration file (YAML). Default: the embedded defaults (config/relay.yaml).")
    Path file;

    LoadedConfig load(Map<String, String> env) throws ConfigException {
        return ConfigLoader.load(Optional.ofNullable(file), env);
    }
}
