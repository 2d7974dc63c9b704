package io.stsdane.relay.dane.internal;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The DNS names a certificate is issued for, and reference-identifier matching as RFC 7672 §3.2.3 and RFC 6125
 * §6.4 require: SAN dNSNames (the subject CN only when there is none), case-insensitive, a wildcard allowed only
 * as the whole leftmost label and matching exactly one label. Stateless and thread-safe.
 */
public final class CertificateNames {

    private static final int SAN_DNS = 2;

    private CertificateNames() {
    }

    /** SAN dNSNames in lower case; the CN when the certificate has no dNSName at all. */
    public static List<String> dnsNames(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(SAN_DNS).equals(san.get(0)) && san.get(1) instanceof String s) {
                        names.add(s.toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        if (names.isEmpty()) {
            commonName(cert).ifPresentOrElse(names::add, () -> { });
        }
        return names;
    }

    /** Whether any certificate name matches any of {@code referenceNames} (lower case, no trailing dot). */
    public static boolean matchesAny(X509Certificate cert, Collection<String> referenceNames) {
        for (String presented : dnsNames(cert)) {
            for (String reference : referenceNames) {
                if (matches(presented, reference)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code presented} may be {@code *.example.com}: it then matches {@code mx.example.com} only. */
    public static boolean matches(String presented, String reference) {
        String p = stripDot(presented.toLowerCase(Locale.ROOT));
        String r = stripDot(reference.toLowerCase(Locale.ROOT));
        if (!p.startsWith("*.")) {
            return !p.contains("*") && p.equals(r);
        }
        String suffix = p.substring(2);
        int dot = r.indexOf('.');
        // "*.com"-style wildcards over a single remaining label are refused, as browsers and Postfix do.
        return suffix.contains(".") && !suffix.contains("*") && dot > 0 && r.substring(dot + 1).equals(suffix);
    }

    private static java.util.Optional<String> commonName(X509Certificate cert) {
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return java.util.Optional.of(rdn.getValue().toString().toLowerCase(Locale.ROOT));
                }
            }
        } catch (InvalidNameException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
    }

    private static String stripDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
