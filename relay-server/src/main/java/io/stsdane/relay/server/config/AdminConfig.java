package io.stsdane.relay.server.config;

import io.stsdane.relay.core.net.HostPort;
import java.util.Optional;

/**
 * The {@code admin:} section: where {@code /metrics}, {@code /health} and {@code /queue} are served.
 *
 * @param token the bearer token every request that changes something must carry ({@code admin.token-file});
 *     always present when {@code listen} is not a loopback address
 */
public record AdminConfig(HostPort listen, Optional<AdminToken> token) {
}
