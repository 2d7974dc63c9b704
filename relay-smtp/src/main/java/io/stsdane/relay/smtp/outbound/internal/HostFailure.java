package io.stsdane.relay.smtp.outbound.internal;

import io.stsdane.relay.core.delivery.OutcomeScope;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.smtp.outbound.AddressSelection;

/**
 * Why one host (or one of its addresses) could not take the message; delivery moves on to the next. Immutable.
 *
 * @param status RFC 3463 status for the recipients if no host succeeds
 * @param diagnostic for the operator and the DSN
 * @param policyFailure the failure is the TLS policy's doing (policy TempFail, TLS required but missing,
 *     certificate rejected): when every host fails this way the sources hear {@code destinationFailed}
 * @param permanent retrying cannot help (REQUIRETLS unmet): when every host fails permanently, bounce
 * @param retryPlaintext level {@code may} only: the TLS handshake failed, a new plaintext connection is allowed
 * @param tlsFailure the RFC 8460 failure kind, or null
 * @param messageOnly the failure concerns this message, not the host: the host cannot meet something the
 *     message needs (REQUIRETLS), or the session broke during the message's transaction. When every host fails
 *     and one of them failed so, the destination is not to blame ({@link OutcomeScope#MESSAGE})
 */
record HostFailure(String status, String diagnostic, boolean policyFailure, boolean permanent,
        boolean retryPlaintext, TlsFailure tlsFailure, boolean messageOnly) {

    /** The host failed before a transaction: connection, greeting, EHLO, STARTTLS. */
    static HostFailure temporary(String status, String diagnostic) {
        return new HostFailure(status, diagnostic, false, false, false, null, false);
    }

    /** The session broke during the message's transaction (after MAIL FROM): the message's failure. */
    static HostFailure duringTransaction(String status, String diagnostic) {
        return new HostFailure(status, diagnostic, false, false, false, null, true);
    }

    /** Policy and TLS failures are always 4.7.5 (RFC 7672 §2.2, RFC 8461 §5): defer, never downgrade. */
    static HostFailure policy(TlsFailure kind, String diagnostic) {
        return new HostFailure("4.7.5", diagnostic, true, false, false, kind, false);
    }

    /** A host without a usable address ({@link AddressSelection}): temporary or permanent as it says. */
    static HostFailure noAddress(AddressSelection.Result.Unusable u) {
        return new HostFailure(u.status(), u.diagnostic(), false, u.permanent(), false,
                u.dnssec() ? TlsFailure.DNSSEC_INVALID : null, false);
    }

    /** The host cannot take this message (REQUIRETLS unmet, RFC 8689 §4.2.1): a permanent failure of the message. */
    static HostFailure permanent(String status, String diagnostic) {
        return new HostFailure(status, diagnostic, false, true, false, null, true);
    }

    HostFailure withPlaintextRetry() {
        return new HostFailure(status, diagnostic, policyFailure, permanent, true, tlsFailure, messageOnly);
    }
}
