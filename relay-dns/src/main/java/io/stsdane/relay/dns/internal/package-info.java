/**
 * The DNS layer on dnsjava: transport (UDP, TCP on truncation, failover and retries across servers), DNSSEC state from the
 * in-process validator or a trusted AD bit, CNAME following with combined security, and a TTL-bounded cache.
 * Entry point: {@link io.stsdane.relay.dns.DnsResolvers#create}.
 *
 * <p>dnsjava's {@code org.xbill.DNS.dnssec.DnsSecVerifier} logs a full stack trace at ERROR for every bogus
 * signature it meets; operators should set that logger to OFF (the relay reports the bogus state itself).
 */
package io.stsdane.relay.dns.internal;
