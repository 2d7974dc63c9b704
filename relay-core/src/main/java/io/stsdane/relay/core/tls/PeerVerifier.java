package io.stsdane.relay.core.tls;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Decides whether the chain a server presented satisfies a policy (TLSA records, or PKIX plus allowed names).
 *
 * <p>Called by the delivery engine after the TLS handshake, with the chain exactly as the server sent it
 * (leaf first). Must be thread-safe and must not block on I/O: everything it needs (TLSA records, patterns,
 * trust anchors) is captured when the policy is built.
 */
@FunctionalInterface
public interface PeerVerifier {

    Verification verify(List<X509Certificate> chain);

    /** For opportunistic and encrypt-only levels: any certificate is accepted. */
    PeerVerifier ACCEPT_ANY = chain -> Verification.passed("certificate not checked (unauthenticated TLS)");
}
