package io.stsdane.relay.core.tls;

/**
 * The security level of one delivery attempt, ordered from weakest to strongest as in Postfix's
 * {@code smtp_tls_security_level}: {@code none < may < encrypt < dane < verify}.
 *
 * <p>The delivery engine applies a level; it never asks which mechanism produced it.
 */
public enum TlsLevel {
    /** Plaintext; STARTTLS is not attempted. Only ever from an explicit local override. */
    NONE,
    /** Opportunistic: STARTTLS when offered, any certificate; plaintext when STARTTLS is missing or fails. */
    MAY,
    /** TLS is mandatory, the certificate is not authenticated (for example a TLSA RRset with no usable record). */
    ENCRYPT,
    /** TLS is mandatory and the peer must match a usable TLSA record (RFC 7672). */
    DANE,
    /** TLS is mandatory and the peer must be PKIX-valid for an allowed name (MTA-STS enforce, or an override). */
    VERIFY;

    /** Parses the configuration spelling ({@code none | may | encrypt | dane | verify}). */
    public static TlsLevel parse(String s) {
        for (TlsLevel l : values()) {
            if (l.configName().equals(s)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown TLS level '" + s + "' (expected none, may, encrypt, dane or verify)");
    }

    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether a missing STARTTLS or a failed handshake must stop delivery to this host. */
    public boolean requiresTls() {
        return compareTo(ENCRYPT) >= 0;
    }

    /** Whether the peer certificate must pass the policy's {@link PeerVerifier}. */
    public boolean requiresAuthentication() {
        return compareTo(DANE) >= 0;
    }

    public boolean atLeast(TlsLevel other) {
        return compareTo(other) >= 0;
    }
}
