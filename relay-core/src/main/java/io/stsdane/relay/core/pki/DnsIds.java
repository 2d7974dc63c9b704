package io.stsdane.relay.core.pki;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The DNS-IDs of a certificate (RFC 6125 §6.4): its subjectAltName dNSName entries. Stateless and thread-safe. */
public final class DnsIds {

    private static final int DNS_NAME = 2;

    private DnsIds() {
    }

    /**
     * The dNSName entries of {@code cert} as written in the certificate, in order; empty when it has none or
     * its SAN extension cannot be parsed (a name check then fails and says the certificate presented no DNS name).
     */
    public static List<String> of(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(DNS_NAME).equals(san.get(0)) && san.get(1) instanceof String s) {
                        names.add(s);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        return List.copyOf(names);
    }
}
