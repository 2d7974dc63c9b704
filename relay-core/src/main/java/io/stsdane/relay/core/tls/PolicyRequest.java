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
 * @param hostInDns delivery connects to the addresses DNS gives for {@code mxHost}; false for a smart host given
 *     as an IP address or listed in the hosts file, whose TLSA records (if its name has any in DNS) do not
 *     belong to the addresses used: DANE needs the host's DNSSEC-secure address records (RFC 7672 §2.2.2)
 */
public record PolicyRequest(
        String recipientDomain,
        String policyDomain,
        String mxHost,
        DnsSecurity mxSecurity,
        int port,
        boolean hostInDns) {

    public PolicyRequest {
        Objects.requireNonNull(recipientDomain, "recipientDomain");
        Objects.requireNonNull(policyDomain, "policyDomain");
        Objects.requireNonNull(mxHost, "mxHost");
        Objects.requireNonNull(mxSecurity, "mxSecurity");
    }

    /** A host whose addresses come from DNS: an MX host, an implicit MX, a smart host resolved in DNS. */
    public PolicyRequest(String recipientDomain, String policyDomain, String mxHost, DnsSecurity mxSecurity,
            int port) {
        this(recipientDomain, policyDomain, mxHost, mxSecurity, port, true);
    }
}
