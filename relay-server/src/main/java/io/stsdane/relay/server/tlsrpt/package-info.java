/**
 * SMTP TLS reporting (RFC 8460): counts the TLS outcome of every delivery session per policy domain and
 * sends each domain that asks for it (a {@code _smtp._tls} TXT record) a daily aggregate report, by mail
 * through the relay's own queue or by HTTPS POST.
 *
 * <p>Entry point: {@link io.stsdane.relay.server.tlsrpt.TlsRpt}. {@link io.stsdane.relay.server.tlsrpt.TlsRptRecord}
 * parses the DNS record (also for {@code relay check}). The machinery lives in {@code .internal}.
 */
package io.stsdane.relay.server.tlsrpt;
