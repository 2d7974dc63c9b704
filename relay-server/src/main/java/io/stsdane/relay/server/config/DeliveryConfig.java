package io.stsdane.relay.server.config;

import io.stsdane.relay.core.net.Cidr;
import io.stsdane.relay.core.net.HostPort;
import io.stsdane.relay.smtp.outbound.SmtpTimeouts;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code delivery:} section: the outbound side.
 *
 * @param port the SMTP port of destination MX hosts
 * @param helo the HELO/EHLO name; empty means {@code server.hostname}
 * @param smarthost send everything through this host instead of looking up MX records; a name is canonical
 *     (lower-case A-labels), the port defaults to {@code port}
 * @param smarthostAuth credentials for the smart host; present only together with {@code smarthost}
 * @param retrySchedule waits between attempts; the last one repeats
 * @param maxQueueLifetime after this a message that still has undelivered recipients bounces
 * @param connectTimeout TCP connect timeout per address
 * @param timeouts SMTP command timeouts (RFC 5321 §4.5.3.2), {@code delivery.timeouts}: {@code data-init} is
 *     {@link SmtpTimeouts#data()}, {@code data-done} {@link SmtpTimeouts#dataEnd()}; EHLO, STARTTLS and QUIT have
 *     no RFC 5321 value and get MAIL's
 * @param sourceAddress the local address outbound connections bind to; empty means the system's choice
 * @param delayWarning send a delay DSN once a message has waited this long; empty means never
 * @param concurrency how many deliveries and connections run at once
 * @param deniedNetworks addresses from a destination's DNS (MX or implicit MX) inside these are never connected
 *     to; the smart host is exempt; empty allows every address
 */
public record DeliveryConfig(
        int port,
        Optional<String> helo,
        Optional<HostPort> smarthost,
        Optional<SmartHostAuth> smarthostAuth,
        List<Duration> retrySchedule,
        Duration maxQueueLifetime,
        Duration connectTimeout,
        SmtpTimeouts timeouts,
        Optional<InetAddress> sourceAddress,
        Optional<Duration> delayWarning,
        Concurrency concurrency,
        List<Cidr> deniedNetworks) {

    public DeliveryConfig {
        retrySchedule = List.copyOf(retrySchedule);
        deniedNetworks = List.copyOf(deniedNetworks);
    }

    /** The wait before attempt {@code n + 1} after {@code n} failed attempts ({@code n >= 1}); the last entry repeats. */
    public Duration retryDelay(int failedAttempts) {
        int i = Math.max(0, Math.min(failedAttempts, retrySchedule.size()) - 1);
        return retrySchedule.get(i);
    }

    /**
     * {@code delivery.smarthost-auth}: AUTH PLAIN credentials for the smart host, the password read from its file at
     * start-up. {@link #toString()} never shows the password.
     */
    public record SmartHostAuth(String username, String password) {

        @Override
        public String toString() {
            return "SmartHostAuth[username=" + username + ", password=(hidden)]";
        }
    }

    /**
     * Parallelism of the outbound side.
     *
     * @param maxConnections deliveries in progress at once over all destinations ({@code delivery.max-connections})
     * @param maxPerDestination deliveries in progress at once to one destination, at most {@code maxConnections}
     *     ({@code delivery.max-per-destination})
     * @param messagesPerConnection messages sent over one connection before it is closed
     *     ({@code delivery.messages-per-connection})
     * @param queueConcurrency deliveries the queue hands to the engine at once ({@code delivery.queue-concurrency})
     */
    public record Concurrency(int maxConnections, int maxPerDestination, int messagesPerConnection,
            int queueConcurrency) {
    }
}
