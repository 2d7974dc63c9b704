package io.stsdane.relay.smtp.outbound;

import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.net.Cidr;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which addresses of one host the delivery engine connects to, or why it connects to none and whether that is
 * final: the same judgement for delivery and for {@code relay check}.
 *
 * <ul>
 *   <li>A bogus or indeterminate address answer is a temporary failure (4.7.5), a failed lookup too (4.4.3).</li>
 *   <li>An authoritative "no address" (NXDOMAIN, or NODATA for AAAA and A; secure or insecure) is permanent
 *       for MX hosts (5.4.4, unable to route) and for an implicit MX (5.1.2, the domain has no mail route): RFC
 *       5321 §5.1 asks for an error report, as Postfix bounces. For the smart host it is temporary (4.4.4): a
 *       configuration problem the operator fixes, mail waits.</li>
 *   <li>An address and port where this relay itself listens (a wildcard listener matches every local address)
 *       is never connected to; a host left with only such addresses is a mail loop: 5.4.6, as Postfix.</li>
 *   <li>Addresses from the destination's DNS inside {@code delivery.denied-networks} (loopback, link-local,
 *       multicast by default) are skipped, so whoever controls a domain's DNS cannot make the relay connect to
 *       its own host or a cloud metadata address; a host left with none is a permanent failure (5.4.4). The
 *       smart host, named in the configuration, is exempt.</li>
 *   <li>With {@code delivery.source-address}, addresses of the other IP family are skipped (4.4.4 if none
 *       is left).</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class AddressSelection {

    /** Why an address is left out. */
    public enum Cause {
        /** This relay listens there. */
        LOOP,
        /** In {@code delivery.denied-networks}. */
        DENIED,
        /** Not of the family of {@code delivery.source-address}. */
        FAMILY
    }

    /** One address left out, and why. */
    public record Skipped(InetAddress address, Cause cause, String reason) {
    }

    /** What one host's addresses come to. */
    public sealed interface Result {

        /** The addresses left out, with the reason for each. */
        List<Skipped> skipped();

        /** Connect to these, IPv6 first. */
        record Usable(List<InetSocketAddress> addresses, List<Skipped> skipped) implements Result {
            public Usable {
                addresses = List.copyOf(addresses);
                skipped = List.copyOf(skipped);
            }
        }

        /**
         * Nothing to connect to.
         *
         * @param status RFC 3463 status for the recipients if no other host takes the mail
         * @param permanent retrying cannot help: bounce when every host ends so
         * @param dnssec the address answer was bogus or indeterminate (an RFC 8460 dnssec-invalid failure)
         */
        record Unusable(String status, String diagnostic, boolean permanent, boolean dnssec, List<Skipped> skipped)
                implements Result {
            public Unusable {
                skipped = List.copyOf(skipped);
            }
        }
    }

    private final List<Cidr> deniedNetworks;
    private final List<InetSocketAddress> listeners;
    private final InetAddress sourceAddress;

    /**
     * @param deniedNetworks {@code delivery.denied-networks}
     * @param listeners the relay's own SMTP listening sockets
     * @param sourceAddress {@code delivery.source-address}, or null
     */
    public AddressSelection(List<Cidr> deniedNetworks, List<InetSocketAddress> listeners, InetAddress sourceAddress) {
        this.deniedNetworks = List.copyOf(deniedNetworks);
        this.listeners = listeners.stream().filter(l -> !l.isUnresolved()).toList();
        this.sourceAddress = sourceAddress;
    }

    /** The selection the engine built with {@code options} makes. */
    public static AddressSelection of(DeliveryOptions options) {
        return new AddressSelection(options.deniedNetworks(), options.listeners(), options.sourceAddress());
    }

    /**
     * @param domain the destination domain (named in the loop and no-route diagnostics)
     * @param host the host's name
     * @param role where the host came from
     * @param port the port the engine connects to
     * @param answer the host's address answer
     */
    public Result select(String domain, String host, HostRole role, int port, DnsResult<InetAddress> answer) {
        Objects.requireNonNull(answer, "answer");
        if (answer.security().isFailure()) {
            return new Result.Unusable("4.7.5", "address lookup for " + host + " is "
                    + answer.security().name().toLowerCase(Locale.ROOT) + ": " + answer.reason(), false, true,
                    List.of());
        }
        if (answer.status() == DnsStatus.ERROR) {
            return new Result.Unusable("4.4.3", "address lookup for " + host + " failed: " + answer.reason(), false,
                    false, List.of());
        }
        if (answer.records().isEmpty()) {
            return noAddress(domain, host, role, answer.status());
        }
        List<InetSocketAddress> usable = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        List<InetAddress> ordered = answer.records().stream()
                .sorted(Comparator.comparing(a -> a instanceof Inet6Address ? 0 : 1)).toList();
        for (InetAddress a : ordered) {
            InetSocketAddress target = new InetSocketAddress(a, port);
            Skipped why = skipReason(role, target);
            if (why == null) {
                usable.add(target);
            } else {
                skipped.add(why);
            }
        }
        if (!usable.isEmpty()) {
            return new Result.Usable(usable, skipped);
        }
        return noneLeft(domain, host, skipped);
    }

    /** Why {@code target} is left out, or null to connect to it. */
    private Skipped skipReason(HostRole role, InetSocketAddress target) {
        InetAddress a = target.getAddress();
        if (isMyself(target)) {
            return new Skipped(a, Cause.LOOP, a.getHostAddress() + " port " + target.getPort()
                    + " is where this relay listens");
        }
        if (role.fromDestinationDns()) {
            for (Cidr n : deniedNetworks) {
                if (n.contains(a)) {
                    return new Skipped(a, Cause.DENIED, a.getHostAddress() + " is in delivery.denied-networks ("
                            + n + ")");
                }
            }
        }
        if (sourceAddress != null && (a instanceof Inet6Address) != (sourceAddress instanceof Inet6Address)) {
            return new Skipped(a, Cause.FAMILY, a.getHostAddress() + " is not of the family of"
                    + " delivery.source-address " + sourceAddress.getHostAddress());
        }
        return null;
    }

    private static Result noneLeft(String domain, String host, List<Skipped> skipped) {
        String all = skipped.stream().map(Skipped::reason).collect(Collectors.joining("; "));
        if (skipped.stream().anyMatch(s -> s.cause() == Cause.LOOP)) {
            return new Result.Unusable("5.4.6", "mail for " + domain + " loops back to myself: " + host + " "
                    + all, true, false, skipped);
        }
        if (skipped.stream().anyMatch(s -> s.cause() == Cause.DENIED)) {
            return new Result.Unusable("5.4.4", "not connecting to " + host + ": " + all, true, false, skipped);
        }
        return new Result.Unusable("4.4.4", host + ": " + all, false, false, skipped);
    }

    private static Result noAddress(String domain, String host, HostRole role, DnsStatus status) {
        String what = status == DnsStatus.NXDOMAIN ? "does not exist" : "has no A or AAAA record";
        return switch (role) {
            case IMPLICIT_MX -> new Result.Unusable("5.1.2", domain + " has no MX record and " + what
                    + ": no mail route (RFC 5321 §5.1)", true, false, List.of());
            case MX -> new Result.Unusable("5.4.4", "MX host " + host + " " + what + " (RFC 5321 §5.1)", true,
                    false, List.of());
            case SMART_HOST -> new Result.Unusable("4.4.4", "smart host " + host + " " + what
                    + " (check delivery.smarthost)", false, false, List.of());
        };
    }

    /** An address and port this relay listens on: equal to a listener, or local under a wildcard listener. */
    private boolean isMyself(InetSocketAddress target) {
        for (InetSocketAddress l : listeners) {
            if (l.getPort() == target.getPort() && sameHost(l.getAddress(), target.getAddress())) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameHost(InetAddress listen, InetAddress target) {
        if (listen.equals(target) || target.isAnyLocalAddress()) {
            // Connecting to 0.0.0.0 or :: reaches the local host.
            return true;
        }
        // An IPv4 wildcard takes IPv4 only; an IPv6 wildcard takes both families.
        return listen.isAnyLocalAddress() && (listen instanceof Inet6Address || target instanceof Inet4Address)
                && isLocal(target);
    }

    private static boolean isLocal(InetAddress a) {
        if (a.isLoopbackAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return false;
        }
    }
}
