package io.stsdane.relay.core.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The one parser of IP address literals: configuration values, the smart host, SNI names. Never asks DNS (a typo
 * must not turn into a lookup). Stateless and thread-safe.
 */
public final class IpLiterals {

    /**
     * What {@link InetAddress#getByName} may see: hex digits, colons and dots, and an optional zone. Anything else
     * (such as {@code zz:1}, whose first character is no hex digit) it would look up as a host name.
     */
    private static final Pattern IPV6_CHARACTERS = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9_.-]+)?");

    private IpLiterals() {
    }

    /**
     * @throws IllegalArgumentException when {@code text} is not an IPv4 dotted quad or an IPv6 literal
     */
    public static InetAddress parse(String text) {
        if (text.contains(":")) {
            if (!IPV6_CHARACTERS.matcher(text).matches()) {
                throw new IllegalArgumentException("'" + text + "' is not an IPv6 address");
            }
            try {
                // Hex digits and colons only: InetAddress parses this as an IPv6 literal, never looks it up.
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

    /** Whether {@code text} is an IPv4 dotted quad or an IPv6 literal (without brackets). */
    public static boolean isLiteral(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
