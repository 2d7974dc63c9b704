package io.stsdane.relay.server.config;

import io.stsdane.relay.core.net.Cidr;
import io.stsdane.relay.core.net.HostPort;
import io.stsdane.relay.smtp.inbound.SpfMode;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code server:} section: the inbound SMTP listener.
 *
 * @param listen where the listener binds
 * @param hostname the name in the greeting, in Received headers and (by default) in the outbound HELO;
 *     empty means the local host name, looked up at start-up
 * @param allowedNetworks clients that may relay without AUTH
 * @param maxMessageSize in bytes, advertised with SIZE and enforced on DATA
 * @param maxRecipients per message
 * @param tls certificate and key for inbound STARTTLS; empty means STARTTLS is not offered
 * @param auth SMTP AUTH
 * @param spfCheck whether the sender domain's SPF record must allow the relay's egress address
 * @param drainTimeout how long a stopping listener lets sessions in the middle of a command (above all DATA)
 *     finish and get their reply; zero cuts them at once
 * @param limits what one client, or all of them, may hold of the listener
 */
public record ServerConfig(
        HostPort listen,
        Optional<String> hostname,
        List<Cidr> allowedNetworks,
        long maxMessageSize,
        int maxRecipients,
        Optional<InboundTls> tls,
        Auth auth,
        SpfCheck spfCheck,
        Duration drainTimeout,
        Limits limits) {

    public ServerConfig {
        allowedNetworks = List.copyOf(allowedNetworks);
    }

    /**
     * Session limits and deadlines, so that no client can hold the listener.
     *
     * @param maxSessions {@code server.max-sessions}: concurrent sessions in all
     * @param maxSessionsPerIp {@code server.max-sessions-per-ip}: concurrent sessions from one address
     * @param perIpLimitExceptions {@code server.per-ip-limit-exceptions}: addresses exempt from the per-address
     *     limit; by default the allowed networks
     * @param commandTimeout {@code server.command-timeout}: deadline for each command line
     * @param dataTimeout {@code server.data-timeout}: wait for each block of DATA, and the base of its deadline
     * @param dataMinRate {@code server.data-min-rate}: octets per second a DATA transfer must average beyond
     *     {@code dataTimeout}
     */
    public record Limits(int maxSessions, int maxSessionsPerIp, List<Cidr> perIpLimitExceptions,
                         Duration commandTimeout, Duration dataTimeout, long dataMinRate) {
        public Limits {
            perIpLimitExceptions = List.copyOf(perIpLimitExceptions);
        }
    }

    /** PEM files for inbound STARTTLS ({@code server.tls.cert}, {@code server.tls.key}); both exist at start-up. */
    public record InboundTls(Path cert, Path key) {
    }

    /**
     * {@code server.auth}.
     *
     * @param usersFile the users file; empty means AUTH is not offered
     * @param requireTls offer AUTH only after STARTTLS
     */
    public record Auth(Optional<Path> usersFile, boolean requireTls) {
    }

    /**
     * {@code server.spf-check}: before accepting a message, check that the sender domain's SPF record authorizes
     * the address the relay sends from, so the relay does not forward mail the destination will reject as forged.
     *
     * @param mode {@code server.spf-check.mode}, the listener's own type
     * @param egressIp the public address mail leaves from; present whenever mode is not OFF
     */
    public record SpfCheck(SpfMode mode, Optional<InetAddress> egressIp) {
    }
}
