package io.stsdane.relay.server.wiring;

import io.stsdane.relay.server.config.RelayConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The relay's own name when {@code server.hostname} is not set. */
final class LocalNames {

    private static final Logger log = LoggerFactory.getLogger(LocalNames.class);

    private LocalNames() {
    }

    /**
     * {@code server.hostname}, else the machine's canonical host name, else {@code localhost}; warns when that
     * is a name of this machine's loopback ({@link #problem}).
     */
    static String hostname(RelayConfig config) {
        String name = config.server().hostname().orElseGet(() -> {
            try {
                return InetAddress.getLocalHost().getCanonicalHostName();
            } catch (UnknownHostException e) {
                return "localhost";
            }
        });
        problem(name, config.server().hostname().isPresent()).ifPresent(log::warn);
        return name;
    }

    /**
     * Why {@code name} makes a poor public name: {@code localhost} (what the machine's host name resolves to
     * when /etc/hosts maps it to 127.0.0.1) greets, says EHLO and writes Message-IDs with a name receiving
     * servers distrust (RFC 5321 §4.1.1.1 wants the client's fully qualified domain name).
     */
    static Optional<String> problem(String name, boolean configured) {
        String n = name.toLowerCase(Locale.ROOT);
        if (!n.equals("localhost") && !n.startsWith("localhost.") && !n.endsWith(".localdomain")) {
            return Optional.empty();
        }
        return Optional.of("the relay's host name is " + name + (configured ? " (server.hostname)"
                : " (this machine's host name resolves to localhost)") + ": it is used in the greeting, EHLO and"
                + " Message-IDs, where receiving servers expect the relay's public name; set server.hostname");
    }
}
