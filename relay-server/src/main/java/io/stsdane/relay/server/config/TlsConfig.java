package io.stsdane.relay.server.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code tls:} section.
 *
 * @param caFile PEM bundle of trust anchors used instead of the JDK trust store for every PKIX check (MTA-STS
 *     policy hosts and MX certificates); empty means the JDK's trust store
 */
public record TlsConfig(Optional<Path> caFile) {
}
