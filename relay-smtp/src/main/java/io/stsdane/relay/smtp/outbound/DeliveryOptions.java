package io.stsdane.relay.smtp.outbound;

import io.stsdane.relay.core.net.Cidr;
import io.stsdane.relay.core.pki.TrustStores;
import io.stsdane.relay.core.util.Require;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import javax.net.ssl.X509TrustManager;

/**
 * Settings of the {@link DeliveryEngine} (the {@code delivery:} configuration section). Immutable; build it with
 * {@link #builder(String)}.
 *
 * @param port the SMTP port of MX hosts ({@code delivery.port}, 25)
 * @param heloName the name sent in EHLO/HELO ({@code delivery.helo}); also recognised as "myself" in MX lists
 * @param smartHost the next hop for all mail ({@code delivery.smarthost}), or null for MX routing
 * @param sourceAddress the local address outbound connections bind to ({@code delivery.source-address}), or
 *     null for the system's choice; destination addresses of the other IP family are then skipped
 * @param connectTimeout TCP connect timeout ({@code delivery.connect-timeout})
 * @param timeouts SMTP command timeouts
 * @param maxConnections deliveries in progress at once, over all destinations
 * @param maxPerDestination deliveries in progress at once to one destination (recipient domain or smart host)
 * @param messagesPerConnection messages sent over one connection before it is closed
 * @param idleTimeout how long an idle connection is kept for reuse
 * @param failedRouteMemory how long a host or address that just failed is tried after the others
 * @param deniedNetworks addresses from the destination's DNS inside these are never connected to
 *     ({@code delivery.denied-networks}); the smart host is exempt (see {@link AddressSelection})
 * @param listeners the relay's own SMTP listening sockets: delivering there is a mail loop
 * @param hostsFile where the smart host's name (and {@code localhost}) is looked up before DNS
 * @param trust the CAs for the certificate checks the engine makes itself, not a policy source: a REQUIRETLS
 *     message to a host without DANE or MTA-STS (RFC 8689 §4.2.1) ({@code tls.ca-file}, else the JDK trust store)
 */
public record DeliveryOptions(
        int port,
        String heloName,
        SmartHost smartHost,
        InetAddress sourceAddress,
        Duration connectTimeout,
        SmtpTimeouts timeouts,
        int maxConnections,
        int maxPerDestination,
        int messagesPerConnection,
        Duration idleTimeout,
        Duration failedRouteMemory,
        List<Cidr> deniedNetworks,
        List<InetSocketAddress> listeners,
        HostsFile hostsFile,
        X509TrustManager trust) {

    /**
     * The default of {@code delivery.denied-networks}: loopback, "this network" and the unspecified addresses,
     * link-local (cloud metadata services live at 169.254.169.254) and multicast.
     */
    public static final List<Cidr> DEFAULT_DENIED_NETWORKS = Stream.of("127.0.0.0/8", "::1/128", "0.0.0.0/8",
            "::/128", "169.254.0.0/16", "fe80::/10", "224.0.0.0/4", "ff00::/8").map(Cidr::parse).toList();

    public DeliveryOptions {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1-65535, was " + port);
        }
        Objects.requireNonNull(heloName, "heloName");
        if (heloName.isBlank()) {
            throw new IllegalArgumentException("heloName must not be blank");
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(timeouts, "timeouts");
        Require.positive(maxConnections, "maxConnections");
        Require.positive(maxPerDestination, "maxPerDestination");
        Require.positive(messagesPerConnection, "messagesPerConnection");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(failedRouteMemory, "failedRouteMemory");
        deniedNetworks = List.copyOf(deniedNetworks);
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(hostsFile, "hostsFile");
        Objects.requireNonNull(trust, "trust");
    }

    public Optional<SmartHost> smartHostOption() {
        return Optional.ofNullable(smartHost);
    }

    public static Builder builder(String heloName) {
        return new Builder(heloName);
    }

    /** Defaults: port 25, no smart host, 30 s connect, RFC 5321 timeouts, 100 / 10 connections, 100 messages
     * per connection, 5 s idle, failed routes remembered 10 min, {@link #DEFAULT_DENIED_NETWORKS}, no listener,
     * the system's hosts file (read by {@link #build()}), the JDK trust store. Not thread-safe. */
    public static final class Builder {
        private final String heloName;
        private int port = 25;
        private SmartHost smartHost;
        private InetAddress sourceAddress;
        private Duration connectTimeout = Duration.ofSeconds(30);
        private SmtpTimeouts timeouts = SmtpTimeouts.rfc5321();
        private int maxConnections = 100;
        private int maxPerDestination = 20;
        private int messagesPerConnection = 100;
        private Duration idleTimeout = Duration.ofSeconds(5);
        private Duration failedRouteMemory = Duration.ofMinutes(10);
        private List<Cidr> deniedNetworks = DEFAULT_DENIED_NETWORKS;
        private List<InetSocketAddress> listeners = List.of();
        private HostsFile hostsFile;
        private X509TrustManager trust;

        private Builder(String heloName) {
            this.heloName = heloName;
        }

        public Builder port(int p) {
            this.port = p;
            return this;
        }

        public Builder smartHost(SmartHost s) {
            this.smartHost = s;
            return this;
        }

        public Builder sourceAddress(InetAddress a) {
            this.sourceAddress = a;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        public Builder timeouts(SmtpTimeouts t) {
            this.timeouts = t;
            return this;
        }

        public Builder maxConnections(int n) {
            this.maxConnections = n;
            return this;
        }

        public Builder maxPerDestination(int n) {
            this.maxPerDestination = n;
            return this;
        }

        public Builder messagesPerConnection(int n) {
            this.messagesPerConnection = n;
            return this;
        }

        public Builder idleTimeout(Duration d) {
            this.idleTimeout = d;
            return this;
        }

        public Builder failedRouteMemory(Duration d) {
            this.failedRouteMemory = d;
            return this;
        }

        /** {@code delivery.denied-networks}; empty allows every address. */
        public Builder deniedNetworks(List<Cidr> networks) {
            this.deniedNetworks = networks;
            return this;
        }

        /** The relay's own SMTP listening sockets. */
        public Builder listeners(List<InetSocketAddress> sockets) {
            this.listeners = sockets;
            return this;
        }

        public Builder hostsFile(HostsFile h) {
            this.hostsFile = h;
            return this;
        }

        public Builder trust(X509TrustManager t) {
            this.trust = t;
            return this;
        }

        public DeliveryOptions build() {
            return new DeliveryOptions(port, heloName, smartHost, sourceAddress, connectTimeout, timeouts,
                    maxConnections, maxPerDestination, messagesPerConnection, idleTimeout, failedRouteMemory,
                    deniedNetworks, listeners, hostsFile != null ? hostsFile : HostsFile.read(HostsFile.SYSTEM),
                    trust != null ? trust : TrustStores.jdkDefault());
        }
    }
}
