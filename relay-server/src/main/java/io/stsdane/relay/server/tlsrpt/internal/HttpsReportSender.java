package io.stsdane.relay.server.tlsrpt.internal;

import io.stsdane.relay.core.dns.DnsResolver;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * POSTs a report to an {@code https:} destination (RFC 8460 §5.3.1) with {@code application/tlsrpt+gzip}.
 * The server must be PKIX-valid for its name; redirects are not followed (a redirect is a failure, like any
 * status outside 2xx). Thread-safe.
 */
final class HttpsReportSender implements ReportSender {

    private static final MediaType TLSRPT_GZIP = MediaType.get("application/tlsrpt+gzip");

    private final OkHttpClient client;

    HttpsReportSender(DnsResolver resolver, X509TrustManager trustManager, Duration timeout) {
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {trustManager}, null);
            this.client = new OkHttpClient.Builder()
                    .dns(new ResolverDns(resolver, timeout))
                    .sslSocketFactory(tls.getSocketFactory(), trustManager)
                    .followRedirects(false)
                    .followSslRedirects(false)
                    .connectTimeout(timeout)
                    .readTimeout(timeout)
                    .writeTimeout(timeout)
                    .callTimeout(timeout.multipliedBy(2))
                    .build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for report uploads", e);
        }
    }

    @Override
    public SendResult send(PendingReport report, URI destination) {
        Request request;
        try {
            request = new Request.Builder()
                    .url(destination.toString())
                    .post(RequestBody.create(report.gzip(), TLSRPT_GZIP))
                    .build();
        } catch (IllegalArgumentException e) {
            return new SendResult.Rejected("not a usable https URL: " + destination);
        }
        try (Response response = client.newCall(request).execute()) {
            if (response.isSuccessful()) {
                return new SendResult.Delivered();
            }
            return new SendResult.Retry("HTTP " + response.code() + " " + response.message()
                    + (response.isRedirect() ? " (redirects are not followed)" : ""));
        } catch (IOException e) {
            return new SendResult.Retry(e.toString());
        }
    }

    /** Releases the connection pool and dispatcher threads. */
    void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
