package io.stsdane.relay.tlsrpt;

/**
 * Identifies one "failure-details" entry of an RFC 8460 report (§4.3): failed sessions are counted per
 * result type, sending address, MX host and receiving address.
 *
 * @param resultType the RFC 8460 result type, for example {@code certificate-expired}
 * @param sendingMtaIp the relay's outbound address, or null when not configured
 * @param receivingMxHostname the MX host name
 * @param receivingIp the address connected to, or null when none was reached
 */
public record FailureKey(String resultType, String sendingMtaIp, String receivingMxHostname, String receivingIp) {
}
