package io.stsdane.relay.dane.internal;

import io.stsdane.relay.core.pki.DnsIds;
import io.stsdane.relay.core.pki.HostPatterns;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The DNS names a certificate is issued for, and reference-identifier matching as RFC 7672 §3.2.3 and RFC 6125
 * §6.4 require: SAN dNSNames (the subject CN only when there is none), matched by
 * {@link HostPatterns#matchesCertificateName} like every other certificate name in the relay. Stateless and
 * thread-safe.
 */
public final class CertificateNames {

    private CertificateNames() {
    }

    /** SAN dNSNames in lower case; the CN when the certificate has no dNSName at all. */
    public static List<String> dnsNames(X509Certificate cert) {
        List<String> sans = DnsIds.of(cert).stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        if (!sans.isEmpty()) {
            return sans;
        }
        return commonName(cert).map(List::of).orElse(List.of());
    }

    /** Whether any certificate name matches any of {@code referenceNames} (host names). */
    public static boolean matchesAny(X509Certificate cert, Collection<String> referenceNames) {
        for (String presented : dnsNames(cert)) {
            for (String reference : referenceNames) {
                if (HostPatterns.matchesCertificateName(presented, reference)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Optional<String> commonName(X509Certificate cert) {
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return Optional.of(rdn.getValue().toString().toLowerCase(Locale.ROOT));
                }
            }
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
