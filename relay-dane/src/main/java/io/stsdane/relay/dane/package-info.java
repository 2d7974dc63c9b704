/**
 * DANE for SMTP (RFC 7672): {@link io.stsdane.relay.dane.DanePolicySource} decides whether DANE applies to an MX
 * host and produces the TLS policy; {@link io.stsdane.relay.dane.TlsaVerifier} checks a presented chain against
 * TLSA records; {@link io.stsdane.relay.dane.DaneStatus} is the decision as a value for diagnostics. Machinery
 * (TLSA matching, certificate names) lives in {@code internal}.
 */
package io.stsdane.relay.dane;
