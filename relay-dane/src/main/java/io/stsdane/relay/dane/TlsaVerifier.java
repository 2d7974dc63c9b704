package io.stsdane.relay.dane;

import io.stsdane.relay.core.dns.TlsaRecord;
import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.Verification;
import io.stsdane.relay.dane.internal.CertificateNames;
import io.stsdane.relay.dane.internal.Issuer;
import io.stsdane.relay.dane.internal.IssuerPaths;
import io.stsdane.relay.dane.internal.TlsaMatching;
import io.stsdane.relay.dane.internal.TrustAnchor;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Checks a presented certificate chain against TLSA records as DANE for SMTP requires (RFC 7672 §3, RFC 7671).
 *
 * <ul>
 *   <li>Only DANE-TA(2) and DANE-EE(3) records with selector 0/1, matching type 0/1/2 and well-formed data count;
 *       PKIX-TA(0), PKIX-EE(1), unknown parameters and malformed data (a digest of the wrong length, a Full(0)
 *       certificate or key that does not parse) are ignored (RFC 7672 §3.1.3).</li>
 *   <li>Digest agility (RFC 7671 §9): after the unusable records are gone, per usage and selector only the
 *       strongest digest present counts.</li>
 *   <li>DANE-EE: the leaf certificate or key must match; names, expiry and the rest of the chain are ignored
 *       (RFC 7672 §3.1.1).</li>
 *   <li>DANE-TA: the leaf must chain by signatures, through CA certificates the server sent in any order (extra
 *       ones ignored), to a trust anchor: a certificate the server sent that matches the record (as a whole or by
 *       its key), or the certificate or key a Full(0) record carries, sent or not (RFC 7671 §5.2.2-5.2.3). Every
 *       certificate below the anchor must be within its validity period, and a leaf name must match a reference
 *       name: the TLSA base name or the MX host name (RFC 7672 §3.1.2, §3.2.3).</li>
 * </ul>
 *
 * <p>Immutable and thread-safe; does no I/O.
 */
public final class TlsaVerifier implements PeerVerifier {

    private final List<TlsaRecord> records;
    private final List<TlsaRecord> effective;
    private final List<TrustAnchor> anchors;
    private final List<String> referenceNames;
    private final Clock clock;

    /**
     * @param records the TLSA RRset (unusable records may be included; they are ignored)
     * @param referenceNames names a DANE-TA leaf must carry: the TLSA base name and the MX host name
     * @param clock the time used for expiry checks under DANE-TA
     */
    public TlsaVerifier(Collection<TlsaRecord> records, Collection<String> referenceNames, Clock clock) {
        this.records = List.copyOf(records);
        this.effective = TlsaMatching.strongestDigests(this.records.stream().filter(TlsaMatching::isUsable).toList());
        this.anchors = effective.stream().filter(r -> r.usage() == TlsaRecord.DANE_TA).map(TrustAnchor::of).toList();
        this.referenceNames = referenceNames.stream().map(n -> n.toLowerCase(Locale.ROOT)).distinct().toList();
        this.clock = clock;
    }

    /** The usable records that take part in matching after digest agility. */
    public List<TlsaRecord> effectiveRecords() {
        return effective;
    }

    @Override
    public Verification verify(List<X509Certificate> chain) {
        if (effective.isEmpty()) {
            return Verification.failed(TlsFailure.TLSA_INVALID, "no usable TLSA record among " + records);
        }
        if (chain.isEmpty()) {
            return Verification.failed(TlsFailure.CERTIFICATE_NOT_TRUSTED, "the server presented no certificate");
        }
        X509Certificate leaf = chain.get(0);
        for (TlsaRecord r : effective) {
            if (r.usage() == TlsaRecord.DANE_EE && TlsaMatching.matches(r, leaf)) {
                return Verification.passed("TLSA " + r + " (DANE-EE) matched the leaf " + TlsaMatching.describe(leaf));
            }
        }
        List<X509Certificate> sent = chain.subList(1, chain.size());
        Verification closest = null;
        for (TrustAnchor anchor : anchors) {
            List<Issuer> issuers = anchor.issuers(sent);
            if (issuers.isEmpty()) {
                continue;
            }
            String prefix = "TLSA " + anchor.record() + " (DANE-TA) anchors at " + issuers + ", but ";
            List<IssuerPaths.Path> paths = IssuerPaths.find(leaf, sent, issuers);
            if (paths.isEmpty() && closest == null) {
                closest = Verification.failed(TlsFailure.CERTIFICATE_NOT_TRUSTED, prefix + "the leaf "
                        + TlsaMatching.describe(leaf) + " is not issued by it, directly or through the CA certificates "
                        + "presented " + describe(chain));
            }
            for (IssuerPaths.Path path : paths) {
                Verification v = checkPath(anchor.record(), path, prefix);
                if (v.passed()) {
                    return v;
                }
                closest = closest == null ? v : closest;
            }
        }
        if (closest != null) {
            return closest;
        }
        return Verification.failed(TlsFailure.CERTIFICATE_NOT_TRUSTED,
                "no TLSA record matched; records " + effective + "; presented " + describe(chain));
    }

    /** DANE-TA, once a path from the leaf to the anchor exists: expiry below the anchor, and the leaf's names. */
    private Verification checkPath(TlsaRecord record, IssuerPaths.Path path, String prefix) {
        Date now = Date.from(clock.instant());
        for (X509Certificate cert : path.certificates()) {
            try {
                cert.checkValidity(now);
            } catch (CertificateExpiredException | CertificateNotYetValidException e) {
                return Verification.failed(TlsFailure.CERTIFICATE_EXPIRED, prefix + TlsaMatching.describe(cert)
                        + " is outside its validity " + cert.getNotBefore().toInstant() + " .. "
                        + cert.getNotAfter().toInstant());
            }
        }
        X509Certificate leaf = path.certificates().get(0);
        if (!CertificateNames.matchesAny(leaf, referenceNames)) {
            return Verification.failed(TlsFailure.CERTIFICATE_HOST_MISMATCH, prefix + "the leaf names "
                    + CertificateNames.dnsNames(leaf) + " match none of " + referenceNames);
        }
        return Verification.passed("TLSA " + record + " (DANE-TA) anchors at " + path.anchor() + "; leaf "
                + TlsaMatching.describe(leaf) + " chains to it through " + (path.certificates().size() - 1)
                + " presented CA certificate(s) and matches " + referenceNames);
    }

    private static String describe(List<X509Certificate> chain) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            out.add(i + ": " + TlsaMatching.describe(chain.get(i)));
        }
        return out.stream().collect(Collectors.joining(", ", "{", "}"));
    }

    @Override
    public String toString() {
        return "TLSA " + effective + " for " + referenceNames;
    }
}
