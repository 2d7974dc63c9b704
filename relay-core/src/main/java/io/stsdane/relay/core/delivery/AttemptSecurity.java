package io.stsdane.relay.core.delivery;

import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsLevel;

/**
 * The TLS policy one delivery attempt applied and the TLS it got: what an operator needs to tell a DANE or
 * MTA-STS failure from a plain network one. Immutable.
 *
 * @param policySource which source decided the TLS policy, or null when none was decided (routing or the
 *     policy lookup failed before a host could be tried)
 * @param policyLevel the level that policy requires; null exactly when {@code policySource} is
 * @param tlsProtocol the negotiated TLS version (for example {@code TLSv1.3}), or null when no TLS session was
 *     established (plaintext, or no connection)
 * @param tlsCipher the negotiated cipher suite, or null without TLS
 * @param verified whether the server's certificate passed the policy's check, or null without TLS
 * @param verification what that check found, or null without TLS
 */
public record AttemptSecurity(PolicyOrigin policySource, TlsLevel policyLevel, String tlsProtocol,
        String tlsCipher, Boolean verified, String verification) {

    public AttemptSecurity {
        if ((policySource == null) != (policyLevel == null)) {
            throw new IllegalArgumentException("a policy has both a source and a level, or neither");
        }
        if (tlsProtocol == null && (tlsCipher != null || verified != null || verification != null)) {
            throw new IllegalArgumentException("cipher and verification need a TLS session");
        }
    }

    /** The policy as logs name it, {@code source/level} (for example {@code dane/dane}), or null when none. */
    public String policy() {
        return policySource == null ? null : policySource.label() + "/" + policyLevel.configName();
    }

    /** Whether a TLS session was up. */
    public boolean tls() {
        return tlsProtocol != null;
    }
}
