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

/** Compares certificates with TLSA association data (RFC 6698 §2.1.2-2.1.3). Stateless and thread-safe. */
public final class TlsaMatching {

    private TlsaMatching() {
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
     * Full(0) records are no digest and always count.
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
