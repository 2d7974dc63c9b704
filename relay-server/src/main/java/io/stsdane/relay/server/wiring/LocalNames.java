package io.stsdane.relay.server.wiring;

import io.stsdane.relay.server.config.RelayConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** The relay's own name when {@code server.hostname} is not set. */
final class LocalNames {

    private LocalNames() {
    }

    /** {@code server.hostname}, else the machine's canonical host name, else {@code localhost}. */
    static String hostname(RelayConfig config) {
        return config.server().hostname().orElseGet(() -> {
            try {
                return InetAddress.getLocalHost().getCanonicalHostName();
            } catch (UnknownHostException e) {
                return "localhost";
            }
        });
    }
}
