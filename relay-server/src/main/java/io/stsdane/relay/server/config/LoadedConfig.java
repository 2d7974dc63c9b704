package io.stsdane.relay.server.config;

/**
 * A validated configuration and the effective YAML it was built from (embedded defaults, then the file, then
 * environment overrides), for logging at start-up.
 */
public record LoadedConfig(RelayConfig config, String effectiveYaml) {
}
