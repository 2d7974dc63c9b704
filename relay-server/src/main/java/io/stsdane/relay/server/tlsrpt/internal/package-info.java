/**
 * TLS reporting machinery: the session counters ({@link io.stsdane.relay.server.tlsrpt.internal.TlsRptCollector}),
 * their crash-safe snapshot, the RFC 8460 JSON and mail renderings, the pending-report store and the two
 * senders (mail through the relay's queue, HTTPS POST). Not API: use {@link io.stsdane.relay.server.tlsrpt.TlsRpt}.
 */
package io.stsdane.relay.server.tlsrpt.internal;
