package io.stsdane.relay.core.net;

import io.stsdane.relay.core.util.DomainNames;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A host name or IP literal with a port, written {@code host:port} or {@code [v6-literal]:port}.
 * Immutable; names are not resolved here (resolution happens where the address is used).
 */
public record HostPort(String host, int port) {

    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not in 0-65535");
        }
    }

    /**
     * Parses {@code host:port}, {@code [::1]:port}, or, when {@code defaultPort} is not negative, a bare host.
     *
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    public static HostPort parse(String text, int defaultPort) {
        String s = text.strip();
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "' has '[' without ']'");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + text + "' is not [address]:port");
                }
                port = rest.substring(1);
            }
            if (!host.contains(":")) {
                throw new IllegalArgumentException("'" + text + "': brackets are only for IPv6 literals");
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') != colon) {
                throw new IllegalArgumentException("'" + text + "': write IPv6 addresses in brackets, as [::1]:25");
            }
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' has no host (use 0.0.0.0 or [::] for every address)");
        }
        if (port == null) {
            if (defaultPort < 0) {
                throw new IllegalArgumentException("'" + text + "' has no port (expected host:port)");
            }
            return new HostPort(host, defaultPort);
        }
        return new HostPort(host, parsePort(text, port));
    }

    private static int parsePort(String text, String port) {
        if (!port.matches("[0-9]{1,5}")) {
            throw new IllegalArgumentException("'" + text + "': port '" + port + "' is not a number");
        }
        int p = Integer.parseInt(port);
        if (p > 65535) {
            throw new IllegalArgumentException("'" + text + "': port " + p + " is not in 0-65535");
        }
        return p;
    }

    /** Whether {@link #host} is an IPv4 or IPv6 literal rather than a name. */
    public boolean isIpLiteral() {
        return IpLiterals.isLiteral(host);
    }

    /**
     * The same address with a name in its canonical form (lower-case A-labels, no trailing dot), as policy
     * lookups compare names; an IP literal is kept as it is.
     *
     * @throws IllegalArgumentException when the host is neither an IP literal nor a valid domain name
     */
    public HostPort withCanonicalHost() {
        if (isIpLiteral()) {
            return this;
        }
        try {
            return new HostPort(DomainNames.canonical(host), port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + host + "' is neither an IP address nor a valid host name");
        }
    }

    /** A socket address, resolving the host now (a literal is parsed without a DNS query). */
    public InetSocketAddress toResolved() {
        return new InetSocketAddress(host, port);
    }

    /** The configuration spelling: {@code host:port}, IPv6 literals in brackets. */
    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
