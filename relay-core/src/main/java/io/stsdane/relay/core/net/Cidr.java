package io.stsdane.relay.core.net;

import java.net.InetAddress;
import java.util.Objects;

/**
 * An IP network such as {@code 10.0.0.0/8} or {@code ::1/128}. A bare address means that one host.
 * Immutable and thread-safe.
 */
public record Cidr(InetAddress network, int prefixLength) {

    public Cidr {
        Objects.requireNonNull(network, "network");
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is not in 0-" + bits);
        }
    }

    /**
     * Parses {@code address/prefix}. Host bits must be zero, so a typo such as {@code 10.0.0.1/8} is caught
     * instead of silently opening a whole network.
     *
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    public static Cidr parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        InetAddress address = IpLiterals.parse(slash < 0 ? s : s.substring(0, slash));
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > bits) {
                throw new IllegalArgumentException("'" + text + "': prefix length must be 0-" + bits);
            }
            prefix = Integer.parseInt(p);
        }
        Cidr cidr = new Cidr(address, prefix);
        if (!masked(address.getAddress(), prefix).equals(address)) {
            throw new IllegalArgumentException("'" + text + "' has host bits set; did you mean "
                    + new Cidr(masked(address.getAddress(), prefix), prefix) + "?");
        }
        return cidr;
    }

    /** Whether {@code address} is inside this network (an IPv4 address is never inside an IPv6 network). */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        byte[] n = network.getAddress();
        if (a.length != n.length) {
            return false;
        }
        int full = prefixLength / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != n[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (n[full] & mask);
    }

    private static InetAddress masked(byte[] address, int prefix) {
        byte[] m = address.clone();
        for (int i = 0; i < m.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            m[i] = (byte) (m[i] & ((0xff << (8 - keep)) & 0xff));
        }
        try {
            return InetAddress.getByAddress(m);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an IP address", e);
        }
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }
}
