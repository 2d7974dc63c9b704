package io.stsdane.relay.dane.internal;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import java.util.Optional;

/**
 * The association data of a Full(0) TLSA record as what it carries (RFC 6698 §2.1.2-2.1.3): a whole DER
 * certificate (selector Cert(0)) or a whole DER SubjectPublicKeyInfo (selector SPKI(1)). Data that does not parse
 * is malformed, which makes the record unusable (RFC 7671 §9). Stateless and thread-safe.
 */
public final class AssociationData {

    /** The key algorithms a SubjectPublicKeyInfo is tried with; each factory rejects the others' OIDs. */
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA");

    private AssociationData() {
    }

    /** {@code der} as one X.509 certificate with nothing after it, or empty. */
    public static Optional<X509Certificate> certificate(byte[] der) {
        try {
            ByteArrayInputStream in = new ByteArrayInputStream(der);
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return in.available() == 0 ? Optional.of(cert) : Optional.empty();
        } catch (GeneralSecurityException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code spki} as a public key of an algorithm the JDK knows, or empty. */
    public static Optional<PublicKey> publicKey(byte[] spki) {
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return Optional.of(KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki)));
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this algorithm (or not a key at all): try the next one
            }
        }
        return Optional.empty();
    }
}
