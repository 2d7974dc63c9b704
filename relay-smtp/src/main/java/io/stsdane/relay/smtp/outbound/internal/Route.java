package io.stsdane.relay.smtp.outbound.internal;

import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import java.net.InetSocketAddress;

/**
 * One connection attempt as a value: which address of which host, under which TLS policy. A retry is a new
 * route (for example the plaintext retry that only level {@code may} allows). Immutable.
 *
 * @param host the MX host
 * @param address the address and port to connect to
 * @param policy the TLS policy for this host
 * @param plaintext skip STARTTLS: level {@code none}, or the {@code may} retry after a failed handshake
 */
record Route(MxHost host, InetSocketAddress address, TlsPolicy policy, boolean plaintext) {

    Route {
        if (plaintext && policy.level().requiresTls()) {
            throw new IllegalArgumentException("a plaintext route under level " + policy.level() + " is a downgrade");
        }
    }

    static Route of(MxHost host, InetSocketAddress address, TlsPolicy policy) {
        return new Route(host, address, policy, policy.level() == TlsLevel.NONE);
    }

    /** The same route without STARTTLS, for the opportunistic retry after a failed handshake. */
    Route plaintextRetry() {
        return new Route(host, address, policy, true);
    }

    /**
     * What a pooled connection must share to be reused for this route: address, host, and the security context
     * (level, source, SNI, policy domain). The verifier is re-run on the pooled session's chain before reuse.
     */
    PoolKey poolKey() {
        return new PoolKey(address, host.name(), policy.level(), policy.source(), policy.sniName(),
                policy.policyDomain(), plaintext);
    }

    record PoolKey(InetSocketAddress address, String host, TlsLevel level,
            io.stsdane.relay.core.tls.PolicyOrigin source, String sni, String policyDomain, boolean plaintext) {
    }
}
