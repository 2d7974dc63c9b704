/**
 * Web PKI checks shared by MTA-STS, the {@code verify} override level and {@code relay check}.
 *
 * <ul>
 *   <li>{@link io.stsdane.relay.core.pki.TrustStores}: the trust anchors ({@code tls.ca-file} or the JDK's).</li>
 *   <li>{@link io.stsdane.relay.core.pki.HostPatterns}: DNS name and wildcard matching (RFC 6125 §6.4,
 *       RFC 8461 §4.1).</li>
 *   <li>{@link io.stsdane.relay.core.pki.PkixVerifier}: a {@link io.stsdane.relay.core.tls.PeerVerifier} that
 *       requires a chain to a trusted CA and a matching DNS-ID.</li>
 * </ul>
 */
package io.stsdane.relay.core.pki;
