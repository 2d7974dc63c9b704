package io.stsdane.relay.smtp.outbound;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.util.DomainNames;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A next hop that receives all outbound mail instead of the recipients' MX hosts ({@code delivery.smarthost}).
 *
 * <p>For MTA-STS the smart host's own name is the policy domain (RFC 8461 §4, via a smart host); DANE applies to
 * it as to any MX host. Immutable.
 *
 * @param host a host name (canonical A-label, no trailing dot) or an IP literal
 * @param port the TCP port
 * @param username for AUTH PLAIN, or null for no authentication
 * @param password for AUTH PLAIN, or null
 */
public record SmartHost(String host, int port, String username, String password) {

    public SmartHost {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("smart host port out of range: " + port);
        }
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("smart host AUTH needs both a username and a password");
        }
    }

    /**
     * Parses {@code host}, {@code host:port}, {@code [ipv6]:port} or {@code [ipv6]}; the port defaults to
     * {@code defaultPort}.
     */
    public static SmartHost parse(String spec, int defaultPort) {
        String s = spec.trim();
        String host;
        int port = defaultPort;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("smart host '" + spec + "': missing ']'");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (rest.startsWith(":")) {
                port = parsePort(spec, rest.substring(1));
            } else if (!rest.isEmpty()) {
                throw new IllegalArgumentException("smart host '" + spec + "': unexpected '" + rest + "'");
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0 && s.indexOf(':') == colon) {
                host = s.substring(0, colon);
                port = parsePort(spec, s.substring(colon + 1));
            } else {
                host = s;
            }
            host = isIpLiteral(host) ? host : DomainNames.canonical(host);
        }
        return new SmartHost(host, port, null, null);
    }

    public SmartHost withAuth(String user, String pass) {
        return new SmartHost(host, port, Objects.requireNonNull(user, "user"), Objects.requireNonNull(pass, "pass"));
    }

    public boolean hasAuth() {
        return username != null;
    }

    /** Whether {@link #host} is an IPv4 or IPv6 literal (then no DNS lookup and no DANE). */
    public boolean isIpLiteral() {
        return isIpLiteral(host);
    }

    static boolean isIpLiteral(String h) {
        return h.contains(":") || h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    /**
     * What the delivery engine asks the policy sources (through {@link HostPolicyResolver}) before it sends mail
     * for {@code recipientDomain} to this smart host: the smart host's own name is the MTA-STS policy domain (RFC
     * 8461 §4) and the host whose TLSA records count (RFC 7672), on its configured port. There is no MX RRset, so
     * the DNSSEC state of the smart host's address lookup stands in for it; an IP literal is never looked up and
     * counts as insecure (no DANE). Completes exceptionally only when {@code dns} does.
     */
    public CompletionStage<PolicyRequest> policyRequest(DnsResolver dns, String recipientDomain) {
        if (isIpLiteral()) {
            return CompletableFuture.completedFuture(request(recipientDomain, DnsSecurity.INSECURE));
        }
        return dns.addresses(host).thenApply(a -> request(recipientDomain, a.security()));
    }

    private PolicyRequest request(String recipientDomain, DnsSecurity security) {
        return new PolicyRequest(recipientDomain, host, host, security, port);
    }

    private static int parsePort(String spec, String p) {
        try {
            return Integer.parseInt(p);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("smart host '" + spec + "': bad port '" + p + "'");
        }
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return host + ":" + port + (hasAuth() ? " (AUTH as " + username + ")" : "");
    }
}
