package io.stsdane.relay.server.config;

import java.util.List;

/**
 * A validated configuration and the effective YAML it was built from (embedded defaults, then the file, then
 * environment overrides), secrets masked, for logging at start-up and {@code relay config show}.
 *
 * @param warnings what is valid but probably not meant (an environment variable that matches no key), for
 *     the log at start-up and {@code relay config check}
 */
public record LoadedConfig(RelayConfig config, String effectiveYaml, List<String> warnings) {

    public LoadedConfig {
        warnings = List.copyOf(warnings);
    }
}
