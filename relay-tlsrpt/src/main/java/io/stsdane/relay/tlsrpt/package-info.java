/**
 * SMTP TLS reporting (RFC 8460): counts the TLS outcome of every delivery session per policy domain and
 * sends each domain that asks for it (a {@code _smtp._tls} TXT record) a daily aggregate report, by mail
 * through the relay's own queue or by HTTPS POST.
 *
 * <p>Entry point: {@link io.stsdane.relay.tlsrpt.TlsRpt}. {@link io.stsdane.relay.tlsrpt.TlsRptRecord}
 * parses the DNS record (also for {@code relay check}). Where counts and built reports persist is the
 * {@link io.stsdane.relay.tlsrpt.CounterStore} and {@link io.stsdane.relay.tlsrpt.ReportOutbox} SPI, over the
 * immutable values {@link io.stsdane.relay.tlsrpt.PolicyCounts} and {@link io.stsdane.relay.tlsrpt.PendingReport}:
 * the node's own directory by default, a store shared by several relay nodes for a cluster. The machinery lives
 * in {@code .internal}.
 */
package io.stsdane.relay.tlsrpt;
