package io.stsdane.relay.core.util;

import java.net.IDN;
import java.util.Locale;

/** Canonical domain names: lower case A-labels without a trailing dot, as every module compares them. */
public final class DomainNames {

    private DomainNames() {
    }

    /**
     * Converts a domain (U-labels allowed) to its canonical ASCII form.
     *
     * @throws IllegalArgumentException when the name is not a valid IDNA domain
     */
    public static String canonical(String domain) {
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        if (d.isEmpty()) {
            throw new IllegalArgumentException("empty domain name");
        }
        return IDN.toASCII(d, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
    }

    /** The domain part of {@code local@domain}, canonical. */
    public static String domainOf(String address) {
        int at = address.lastIndexOf('@');
        if (at < 0 || at == address.length() - 1) {
            throw new IllegalArgumentException("no domain in address: " + address);
        }
        return canonical(address.substring(at + 1));
    }

    /** Whether canonical {@code name} is {@code domain} itself or a name below it (both canonical). */
    public static boolean isAtOrBelow(String name, String domain) {
        return name.equals(domain) || name.endsWith("." + domain);
    }
}
