package io.stsdane.relay.server.config;

/** The {@code admin:} section: where {@code /metrics}, {@code /health} and {@code /queue} are served. */
public record AdminConfig(HostPort listen) {
}
