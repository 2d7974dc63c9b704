package io.stsdane.relay.server.config;

/**
 * The {@code mta-sts:} section.
 *
 * @param enabled whether MTA-STS policies are discovered and applied
 * @param httpsPort the port of {@code https://mta-sts.<domain>/} (443 except in tests)
 */
public record MtaStsConfig(boolean enabled, int httpsPort) {
}
