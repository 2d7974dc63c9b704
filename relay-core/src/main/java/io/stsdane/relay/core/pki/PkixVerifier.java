package io.stsdane.relay.core.pki;

import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.Verification;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.X509TrustManager;

/**
 * Web PKI verification of a server's chain for a set of reference names (RFC 8461 §4.2, RFC 6125): the chain must
 * lead to a trusted CA with every certificate inside its validity period, and a subjectAltName DNS-ID of the leaf
 * must match one reference name.
 *
 * <p>Reference names are host names, or {@code *.domain} patterns that accept any single-label host under
 * {@code domain} (and a certificate for that same wildcard). The subject CN is never used: RFC 8461 §4.2 relies
 * on DNS-IDs. A certificate wildcard counts only as a whole leftmost label over at least two further labels
 * ({@code *.com} matches nothing).
 *
 * <p>Immutable and thread-safe; {@link #verify} does no I/O (no revocation checks).
 */
public final class PkixVerifier implements PeerVerifier {

    /** Tells SunJSSE to skip the key-usage check that depends on the negotiated key exchange (as for TLS 1.3). */
    private static final String AUTH_TYPE_UNKNOWN = "UNKNOWN";

    private final X509TrustManager trust;
    private final List<String> referenceNames;

    public PkixVerifier(X509TrustManager trust, Collection<String> referenceNames) {
        this.trust = Objects.requireNonNull(trust, "trust");
        this.referenceNames = referenceNames.stream().map(HostPatterns::normalize).toList();
        if (this.referenceNames.isEmpty()) {
            throw new IllegalArgumentException("at least one reference name is required");
        }
    }

    /** A verifier that requires a certificate valid for exactly {@code host}. */
    public static PkixVerifier forHost(X509TrustManager trust, String host) {
        return new PkixVerifier(trust, List.of(host));
    }

    public List<String> referenceNames() {
        return referenceNames;
    }

    @Override
    public Verification verify(List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            return Verification.failed(TlsFailure.CERTIFICATE_NOT_TRUSTED,
                    "expected a certificate for " + referenceNames + "; the server presented none");
        }
        X509Certificate leaf = chain.get(0);
        List<String> dnsIds = DnsIds.of(leaf);
        try {
            trust.checkServerTrusted(chain.toArray(new X509Certificate[0]), AUTH_TYPE_UNKNOWN);
        } catch (CertificateException e) {
            Optional<X509Certificate> outOfDate = chain.stream().filter(PkixVerifier::outsideValidity).findFirst();
            if (outOfDate.isPresent()) {
                X509Certificate c = outOfDate.get();
                return Verification.failed(TlsFailure.CERTIFICATE_EXPIRED, "certificate " + c.getSubjectX500Principal()
                        + " is valid only from " + c.getNotBefore().toInstant() + " to " + c.getNotAfter().toInstant()
                        + "; " + presented(leaf, dnsIds));
            }
            return Verification.failed(TlsFailure.CERTIFICATE_NOT_TRUSTED, "chain does not lead to a trusted CA ("
                    + e.getMessage() + "); " + presented(leaf, dnsIds));
        }
        for (String ref : referenceNames) {
            for (String id : dnsIds) {
                if (HostPatterns.matchesCertificateName(id, ref)) {
                    return Verification.passed("PKIX-valid certificate for " + ref + " (DNS-ID " + id + ")");
                }
            }
        }
        return Verification.failed(TlsFailure.CERTIFICATE_HOST_MISMATCH, "expected a certificate for "
                + String.join(" or ", referenceNames) + "; " + presented(leaf, dnsIds));
    }

    private static boolean outsideValidity(X509Certificate c) {
        try {
            c.checkValidity(new Date());
            return false;
        } catch (CertificateException e) {
            return true;
        }
    }

    private static String presented(X509Certificate leaf, List<String> dnsIds) {
        return "server presented " + (dnsIds.isEmpty() ? "no DNS names" : "DNS names " + dnsIds)
                + " (subject " + leaf.getSubjectX500Principal() + ", issuer " + leaf.getIssuerX500Principal() + ")";
    }
}
