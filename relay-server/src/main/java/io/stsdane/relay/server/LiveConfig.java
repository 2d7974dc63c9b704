package io.stsdane.relay.server;

import io.stsdane.relay.server.config.RelayConfig;
import java.util.List;

/**
 * What a running relay can take from a new configuration without a restart (SIGHUP, {@link ConfigReloader}).
 * Implementations are thread-safe.
 */
@FunctionalInterface
public interface LiveConfig {

    /** Nothing can be reloaded. */
    LiveConfig NONE = next -> List.of();

    /**
     * Puts the reloadable parts of {@code next} in force and says which (configuration key names).
     *
     * @throws RuntimeException when a file {@code next} names cannot be used (a certificate, the users file);
     *     the parts already in force then stay as they were
     */
    List<String> apply(RelayConfig next);
}
