package io.stsdane.relay.core.tls;

import io.stsdane.relay.core.dns.DnsSecurity;
import java.util.Objects;

/**
 * What a {@link TlsPolicySource} is asked: the TLS policy for one MX host of one destination.
 *
 * @param recipientDomain the domain of the recipients (lower case A-label)
 * @param policyDomain the domain whose MTA-STS policy applies: the recipient domain, or the smart host's
 *     domain when relaying through a smart host (RFC 8461 §4)
 * @param mxHost the MX host name (for an implicit MX, the domain itself)
 * @param mxSecurity the DNSSEC state of the MX RRset that named this host (SECURE for a configured smart host
 *     only when its name was resolved securely)
 * @param port the TCP port delivery will use (TLSA records live at {@code _<port>._tcp.<host>})
 */
public record PolicyRequest(
        String recipientDomain,
        String policyDomain,
        String mxHost,
        DnsSecurity mxSecurity,
        int port) {

    public PolicyRequest {
        Objects.requireNonNull(recipientDomain, "recipientDomain");
        Objects.requireNonNull(policyDomain, "policyDomain");
        Objects.requireNonNull(mxHost, "mxHost");
        Objects.requireNonNull(mxSecurity, "mxSecurity");
    }
}
