package io.stsdane.relay.dns.internal;

import java.util.Locale;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** Conversions between the relay's names (lower case, no trailing dot) and dnsjava's absolute names. */
final class Names {

    private Names() {
    }

    /** Lower case without the trailing dot; the root is the empty string (as in a null MX, RFC 7505). */
    static String canonical(Name name) {
        String s = name.toString(true).toLowerCase(Locale.ROOT);
        return s.equals(".") ? "" : s;
    }

    /**
     * Whether {@code name} is already in the relay's form and needs no parsing: labels of 1-63 lower-case
     * letters, digits, hyphens or underscores, separated by single dots, 253 characters at most (RFC 1035
     * §2.3.4), no trailing dot. Such a name is exactly what {@code canonical(toName(name))} returns; any other
     * name (upper case, a trailing dot, escapes, the root) goes the long way.
     */
    static boolean isCanonical(String name) {
        int n = name.length();
        if (n == 0 || n > 253) {
            return false;
        }
        int label = 0;
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (label == 0) {
                    return false;
                }
                label = 0;
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                if (++label > 63) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return label > 0;
    }

    /** @throws IllegalArgumentException for a name that is not a valid DNS name */
    static Name toName(String name) {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + name, e);
        }
    }
}
