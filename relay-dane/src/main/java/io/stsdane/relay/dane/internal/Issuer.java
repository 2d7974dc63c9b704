package io.stsdane.relay.dane.internal;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * Something that can issue a certificate: a CA certificate's name and key, or a bare public key (a DANE-TA
 * {@code 2 1 0} record carries no name). Immutable and thread-safe.
 *
 * @param subject the issuer name a certificate it issued carries, or empty for a bare key, which issues whatever
 *     its signature verifies
 * @param key the key that signs
 * @param description for operators
 */
public record Issuer(Optional<X500Principal> subject, PublicKey key, String description) {

    /** keyUsage bit keyCertSign (RFC 5280 §4.2.1.3). */
    private static final int KEY_CERT_SIGN = 5;

    public Issuer {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(description, "description");
    }

    /** A CA certificate as issuer; empty when it may not issue certificates (not a CA, or no keyCertSign). */
    public static Optional<Issuer> of(X509Certificate cert, String description) {
        boolean[] usage = cert.getKeyUsage();
        boolean mayCertify = usage == null || (usage.length > KEY_CERT_SIGN && usage[KEY_CERT_SIGN]);
        if (cert.getBasicConstraints() < 0 || !mayCertify) {
            return Optional.empty();
        }
        return Optional.of(new Issuer(Optional.of(cert.getSubjectX500Principal()), cert.getPublicKey(), description));
    }

    /** A bare public key as issuer. */
    public static Issuer of(PublicKey key, String description) {
        return new Issuer(Optional.empty(), key, description);
    }

    /** Whether {@code cert} names this issuer (when it has a name) and carries its signature. */
    public boolean issued(X509Certificate cert) {
        if (subject.isPresent() && !subject.get().equals(cert.getIssuerX500Principal())) {
            return false;
        }
        try {
            cert.verify(key);
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /** Whether {@code cert} is this issuer itself: the same key (and name, when this issuer has one). */
    public boolean isHeldBy(X509Certificate cert) {
        return MessageDigest.isEqual(key.getEncoded(), cert.getPublicKey().getEncoded())
                && subject.map(s -> s.equals(cert.getSubjectX500Principal())).orElse(true);
    }

    @Override
    public String toString() {
        return description;
    }
}
