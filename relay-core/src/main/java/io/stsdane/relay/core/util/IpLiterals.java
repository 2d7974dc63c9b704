package io.stsdane.relay.core.util;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Parses IP address literals without ever asking DNS (a typo must not turn into a lookup). */
public final class IpLiterals {

    private IpLiterals() {
    }

    /**
     * @throws IllegalArgumentException when {@code text} is not an IPv4 dotted quad or an IPv6 literal
     */
    public static InetAddress parse(String text) {
        if (text.contains(":")) {
            try {
                // A string with ':' is only ever parsed as an IPv6 literal by InetAddress, never looked up.
                return InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
            }
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address");
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("[0-9]{1,3}") || Integer.parseInt(parts[i]) > 255) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv4 address");
            }
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }

    public static boolean isLiteral(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
