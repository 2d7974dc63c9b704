package io.stsdane.relay.smtp.outbound.internal;

import io.stsdane.relay.core.dns.DnsSecurity;

/**
 * One host to try for a destination. Immutable.
 *
 * @param name the MX host name (the domain itself for an implicit MX, or the smart host)
 * @param preference the MX preference (0 for implicit MX and smart host)
 * @param mxSecurity the DNSSEC state of the RRset that named this host
 * @param port the TCP port
 * @param ipLiteral {@code name} is an IP address (a smart host given as an address): no DNS lookup
 */
record MxHost(String name, int preference, DnsSecurity mxSecurity, int port, boolean ipLiteral) {
}
