package io.stsdane.relay.dane.internal;

import io.stsdane.relay.core.dns.TlsaRecord;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Which TLSA records are usable for SMTP, and comparing certificates with their association data (RFC 6698
 * §2.1.2-2.1.3, RFC 7672 §3.1.3, RFC 7671 §9). Stateless and thread-safe.
 */
public final class TlsaMatching {

    private static final int SHA256_OCTETS = 32;
    private static final int SHA512_OCTETS = 64;

    private TlsaMatching() {
    }

    /**
     * Usable for SMTP (RFC 7672 §3.1.3): usage DANE-TA(2) or DANE-EE(3), selector Cert(0) or SPKI(1), matching type
     * Full(0), SHA2-256(1) or SHA2-512(2), and well-formed data for it: a digest of the digest's length, or a whole
     * certificate or SubjectPublicKeyInfo that parses. A malformed record is unusable like one with unknown
     * parameters, and is discarded before digest agility decides (RFC 7671 §9).
     */
    public static boolean isUsable(TlsaRecord record) {
        if ((record.usage() != TlsaRecord.DANE_TA && record.usage() != TlsaRecord.DANE_EE)
                || (record.selector() != 0 && record.selector() != 1)) {
            return false;
        }
        byte[] data = record.data();
        return switch (record.matchingType()) {
            case 0 -> record.selector() == 0 ? AssociationData.certificate(data).isPresent()
                    : AssociationData.publicKey(data).isPresent();
            case 1 -> data.length == SHA256_OCTETS;
            case 2 -> data.length == SHA512_OCTETS;
            default -> false;
        };
    }

    /** Whether {@code cert} (its full DER or its SubjectPublicKeyInfo, per the selector) matches {@code record}. */
    public static boolean matches(TlsaRecord record, X509Certificate cert) {
        byte[] selected = selected(record.selector(), cert);
        byte[] expected = record.data();
        return switch (record.matchingType()) {
            case 0 -> MessageDigest.isEqual(selected, expected);
            case 1 -> MessageDigest.isEqual(digest("SHA-256", selected), expected);
            case 2 -> MessageDigest.isEqual(digest("SHA-512", selected), expected);
            default -> false;
        };
    }

    /**
     * Digest agility (RFC 7671 §9): among records with the same usage and selector, only those with the strongest
     * digest matching type present count (SHA-512 over SHA-256), so a weak digest cannot be used to downgrade.
     * Full(0) records are no digest and always count. {@code records} must hold usable records only
     * ({@link #isUsable}): a malformed SHA-512 record must not retire a good SHA-256 one.
     */
    public static List<TlsaRecord> strongestDigests(List<TlsaRecord> records) {
        Map<Integer, Integer> strongest = new HashMap<>();
        for (TlsaRecord r : records) {
            if (r.matchingType() > 0) {
                strongest.merge(r.usage() * 256 + r.selector(), r.matchingType(), Math::max);
            }
        }
        return records.stream()
                .filter(r -> r.matchingType() == 0 || r.matchingType() == strongest.get(r.usage() * 256 + r.selector()))
                .toList();
    }

    /** SHA-256 of the certificate's SubjectPublicKeyInfo in hex: the data of a {@code 3 1 1} record. */
    public static String spkiSha256(X509Certificate cert) {
        return HexFormat.of().formatHex(digest("SHA-256", cert.getPublicKey().getEncoded()));
    }

    /** A certificate for operators: its subject and the SHA-256 of its key, as a {@code 3 1 1} record holds it. */
    public static String describe(X509Certificate cert) {
        return "[" + cert.getSubjectX500Principal().getName() + ", spki sha256 " + spkiSha256(cert) + "]";
    }

    /** What a record with this selector and matching type would hold for {@code cert}. */
    public static byte[] associationData(int selector, int matchingType, X509Certificate cert) {
        byte[] selected = selected(selector, cert);
        return switch (matchingType) {
            case 0 -> selected;
            case 1 -> digest("SHA-256", selected);
            case 2 -> digest("SHA-512", selected);
            default -> throw new IllegalArgumentException("unknown matching type " + matchingType);
        };
    }

    private static byte[] selected(int selector, X509Certificate cert) {
        try {
            return selector == 0 ? cert.getEncoded() : cert.getPublicKey().getEncoded();
        } catch (CertificateEncodingException e) {
            return new byte[0];
        }
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required of every JDK", e);
        }
    }
}
