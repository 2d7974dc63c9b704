package io.stsdane.relay.smtp.outbound.internal;

import io.stsdane.relay.core.tls.Verification;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The TLS state of one established session. Immutable.
 *
 * @param protocol for example {@code TLSv1.3}
 * @param cipher the cipher suite
 * @param peerChain the chain as the server sent it, leaf first
 * @param verification the policy verifier's verdict on {@code peerChain}
 */
record TlsInfo(String protocol, String cipher, List<X509Certificate> peerChain, Verification verification) {

    TlsInfo {
        peerChain = List.copyOf(peerChain);
    }
}
