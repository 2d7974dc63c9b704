/**
 * The relay's DNS resolver: {@link io.stsdane.relay.dns.DnsResolvers} builds the
 * {@link io.stsdane.relay.core.dns.DnsResolver} that relay-core defines from
 * {@link io.stsdane.relay.core.dns.DnsOptions}. Only relay-server wires it; the other modules see the interface.
 * The machinery (dnsjava transport, server failover, DNSSEC classification, cache, metrics) is in
 * {@code internal}.
 */
package io.stsdane.relay.dns;
