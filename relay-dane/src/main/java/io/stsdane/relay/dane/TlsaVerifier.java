package io.stsdane.relay.dane;

import io.stsdane.relay.core.dns.TlsaRecord;
import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.Verification;
import io.stsdane.relay.dane.internal.CertificateNames;
import io.stsdane.relay.dane.internal.TlsaMatching;
import java.security.GeneralSecurityException;
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
 *   <li>Only DANE-TA(2) and DANE-EE(3) records with selector 0/1 and matching type 0/1/2 count; PKIX-TA(0),
 *       PKIX-EE(1) and unknown parameters are ignored (RFC 7672 §3.1.3).</li>
 *   <li>Digest agility (RFC 7671 §9): per usage and selector only the strongest digest present counts.</li>
 *   <li>DANE-EE: the leaf certificate or key must match; names, expiry and the rest of the chain are ignored
 *       (RFC 7672 §3.1.1).</li>
 *   <li>DANE-TA: a certificate of the presented chain above the leaf must match (as a whole or by its key), the
 *       leaf must chain to it by signatures through CA certificates, every certificate below the anchor must be
 *       within its validity period, and a leaf name must match a reference name: the TLSA base name or the MX
 *       host name (RFC 7672 §3.1.2, §3.2.3).</li>
 * </ul>
 *
 * <p>Immutable and thread-safe; does no I/O.
 */
public final class TlsaVerifier implements PeerVerifier {

    private final List<TlsaRecord> records;
    private final List<TlsaRecord> effective;
    private final List<String> referenceNames;
    private final Clock clock;

    /**
     * @param records the TLSA RRset (unusable records may be included; they are ignored)
     * @param referenceNames names a DANE-TA leaf must carry: the TLSA base name and the MX host name
     * @param clock the time used for expiry checks under DANE-TA
     */
    public TlsaVerifier(Collection<TlsaRecord> records, Collection<String> referenceNames, Clock clock) {
        this.records = List.copyOf(records);
        this.effective = TlsaMatching.strongestDigests(
                this.records.stream().filter(TlsaRecord::isUsableForSmtp).toList());
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
                return Verification.passed("TLSA " + r + " (DANE-EE) matched the leaf " + describe(leaf));
            }
        }
        Verification closest = null;
        for (TlsaRecord r : effective) {
            if (r.usage() != TlsaRecord.DANE_TA) {
                continue;
            }
            for (int i = 1; i < chain.size(); i++) {
                if (TlsaMatching.matches(r, chain.get(i))) {
                    Verification v = checkUnderAnchor(r, chain, i);
                    if (v.passed()) {
                        return v;
                    }
                    closest = closest == null ? v : closest;
                }
            }
        }
        if (closest != null) {
            return closest;
        }
        return Verification.failed(TlsFailure.CERTIFICATE_NOT_TRUSTED,
                "no TLSA record matched; records " + effective + "; presented " + describe(chain));
    }

    /** DANE-TA: the chain from the leaf up to the anchor at {@code anchorIndex}, expiry and names. */
    private Verification checkUnderAnchor(TlsaRecord record, List<X509Certificate> chain, int anchorIndex) {
        String prefix = "TLSA " + record + " (DANE-TA) matched " + describe(chain.get(anchorIndex)) + ", but ";
        Date now = Date.from(clock.instant());
        for (int i = 0; i < anchorIndex; i++) {
            X509Certificate cert = chain.get(i);
            X509Certificate issuer = chain.get(i + 1);
            if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())
                    || issuer.getBasicConstraints() < 0 || !signedBy(cert, issuer)) {
                return Verification.failed(TlsFailure.CERTIFICATE_NOT_TRUSTED,
                        prefix + describe(cert) + " is not issued by the CA " + describe(issuer));
            }
            try {
                cert.checkValidity(now);
            } catch (CertificateExpiredException | CertificateNotYetValidException e) {
                return Verification.failed(TlsFailure.CERTIFICATE_EXPIRED, prefix + describe(cert)
                        + " is outside its validity " + cert.getNotBefore().toInstant() + " .. "
                        + cert.getNotAfter().toInstant());
            }
        }
        X509Certificate leaf = chain.get(0);
        if (!CertificateNames.matchesAny(leaf, referenceNames)) {
            return Verification.failed(TlsFailure.CERTIFICATE_HOST_MISMATCH, prefix + "the leaf names "
                    + CertificateNames.dnsNames(leaf) + " match none of " + referenceNames);
        }
        return Verification.passed("TLSA " + record + " (DANE-TA) matched " + describe(chain.get(anchorIndex))
                + "; leaf " + describe(leaf) + " chains to it and matches " + referenceNames);
    }

    private static boolean signedBy(X509Certificate cert, X509Certificate issuer) {
        try {
            cert.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String describe(X509Certificate cert) {
        return "[" + cert.getSubjectX500Principal().getName() + ", spki sha256 " + TlsaMatching.spkiSha256(cert) + "]";
    }

    private static String describe(List<X509Certificate> chain) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < chain.size(); i++) {
            out.add(i + ": " + describe(chain.get(i)));
        }
        return out.stream().collect(Collectors.joining(", ", "{", "}"));
    }

    @Override
    public String toString() {
        return "TLSA " + effective + " for " + referenceNames;
    }
}
