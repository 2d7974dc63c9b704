/**
 * TLS reporting machinery: the session counters ({@link io.stsdane.relay.tlsrpt.internal.TlsRptCollector}),
 * the single-node store (a crash-safe {@code counters.json} and the {@code pending/} report files), the report
 * job, the RFC 8460 JSON and mail renderings and the two senders (mail through the relay's queue, HTTPS POST).
 * Not API: use {@link io.stsdane.relay.tlsrpt.TlsRpt}.
 */
package io.stsdane.relay.tlsrpt.internal;
