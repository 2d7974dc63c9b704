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

    /** @throws IllegalArgumentException for a name that is not a valid DNS name */
    static Name toName(String name) {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a DNS name: " + name, e);
        }
    }
}
