package io.stsdane.relay.core.tls;

/**
 * The TLS outcome of one delivery session, as recorded for TLS reporting (RFC 8460) and metrics.
 *
 * @param policy the policy that was applied
 * @param mxHost the MX host name
 * @param address the IP address connected to, as text
 * @param failure null on success; otherwise the RFC 8460 failure kind
 * @param detail what happened, for an operator
 */
public record TlsSessionResult(TlsPolicy policy, String mxHost, String address, TlsFailure failure, String detail) {

    public boolean success() {
        return failure == null;
    }
}
