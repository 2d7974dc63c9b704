package io.stsdane.relay.smtp.outbound;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.net.HostPort;
import io.stsdane.relay.core.net.IpLiterals;
import io.stsdane.relay.core.tls.PolicyRequest;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A next hop that receives all outbound mail instead of the recipients' MX hosts ({@code delivery.smarthost}).
 *
 * <p>For MTA-STS the smart host's own name is the policy domain (RFC 8461 §4, via a smart host); DANE applies to
 * it as to any MX host, with its address records in place of an MX RRset. It is named in the configuration, so
 * {@code delivery.denied-networks} does not apply to it. Immutable.
 *
 * @param address a host name or IP literal and the TCP port; a name is kept in its canonical form (lower-case
 *     A-labels, no trailing dot), as policy lookups compare names
 * @param username for AUTH PLAIN, or null for no authentication
 * @param password for AUTH PLAIN, or null
 */
public record SmartHost(HostPort address, String username, String password) {

    /** How the reason of an {@link #addresses} answer made without DNS ends. */
    private static final String NO_DNS_LOOKUP = ": no DNS lookup";

    public SmartHost {
        address = address.withCanonicalHost();
        if (address.port() < 1) {
            throw new IllegalArgumentException("port must be 1-65535, was " + address.port());
        }
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("username and password must be given together");
        }
    }

    /** A smart host without AUTH. */
    public SmartHost(HostPort address) {
        this(address, null, null);
    }

    public SmartHost withAuth(String user, String pass) {
        return new SmartHost(address, Objects.requireNonNull(user, "user"), Objects.requireNonNull(pass, "pass"));
    }

    /** The host name (canonical) or IP literal. */
    public String host() {
        return address.host();
    }

    public int port() {
        return address.port();
    }

    public boolean hasAuth() {
        return username != null;
    }

    /** Whether {@link #host} is an IPv4 or IPv6 literal (then no DNS lookup and no DANE). */
    public boolean isIpLiteral() {
        return address.isIpLiteral();
    }

    /**
     * The smart host's addresses as the delivery engine resolves them: a smart host is a host, not a mail domain,
     * so its address records, never an MX RRset. An IP literal is never looked up; a name listed in the hosts
     * file (and {@code localhost}) comes from there, as every MTA does; both count as INSECURE (no DANE: the
     * addresses are not DNSSEC-secure). Otherwise DNS ({@code dns.insecure-domains} makes internal names INSECURE
     * there). Completes exceptionally only when {@code dns} does.
     */
    public CompletionStage<DnsResult<InetAddress>> addresses(DnsResolver dns, HostsFile hosts) {
        if (isIpLiteral()) {
            return CompletableFuture.completedFuture(local(List.of(IpLiterals.parse(host())), "an IP address"));
        }
        Optional<List<InetAddress>> listed = hosts.lookup(host());
        if (listed.isPresent()) {
            return CompletableFuture.completedFuture(local(listed.get(), "from the hosts file"));
        }
        return dns.addresses(host());
    }

    /**
     * What the delivery engine asks the policy sources (through {@link HostPolicyResolver}) before it sends mail
     * for {@code recipientDomain} to this smart host: the smart host's own name is the MTA-STS policy domain (RFC
     * 8461 §4) and the host whose TLSA records count (RFC 7672), on its configured port. There is no MX RRset, so
     * the DNSSEC state of the smart host's {@link #addresses} stands in for it. Addresses that did not come from
     * DNS (an IP literal, the hosts file) are not the ones any TLSA records of the name are about: the request
     * says so ({@link PolicyRequest#hostInDns()}), and DANE does not apply (RFC 7672 §2.2.2).
     */
    public PolicyRequest policyRequest(DnsResult<InetAddress> addresses, String recipientDomain) {
        return new PolicyRequest(recipientDomain, host(), host(), addresses.security(), port(),
                !addresses.reason().endsWith(NO_DNS_LOOKUP));
    }

    /** An answer made without DNS; its reason ends with {@link #NO_DNS_LOOKUP}. */
    private DnsResult<InetAddress> local(List<InetAddress> addresses, String how) {
        return new DnsResult<>(host(), DnsStatus.NOERROR, DnsSecurity.INSECURE, List.of(), addresses,
                how + NO_DNS_LOOKUP, 0);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return host() + ":" + port() + (hasAuth() ? " (AUTH as " + username + ")" : "");
    }
}
