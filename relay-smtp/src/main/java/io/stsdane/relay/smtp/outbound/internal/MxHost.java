package io.stsdane.relay.smtp.outbound.internal;

import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.smtp.outbound.HostRole;
import java.net.InetAddress;

/**
 * One host to try for a destination. Immutable.
 *
 * @param name the MX host name (the domain itself for an implicit MX, or the smart host)
 * @param preference the MX preference (0 for implicit MX and smart host)
 * @param mxSecurity the DNSSEC state of the RRset that named this host (for the smart host: of its addresses)
 * @param port the TCP port
 * @param role where the host came from, which decides what a missing address means
 * @param resolved the host's addresses when routing already resolved them (the smart host), else null: they are
 *     looked up in DNS when the host is tried
 * @param hostInDns the addresses come from DNS (false for a smart host given as an IP address or listed in the
 *     hosts file: no DANE, see {@link io.stsdane.relay.core.tls.PolicyRequest#hostInDns()})
 */
record MxHost(String name, int preference, DnsSecurity mxSecurity, int port, HostRole role,
        DnsResult<InetAddress> resolved, boolean hostInDns) {

    static MxHost fromDns(String name, int preference, DnsSecurity mxSecurity, int port, HostRole role) {
        return new MxHost(name, preference, mxSecurity, port, role, null, true);
    }
}
