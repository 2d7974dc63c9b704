package io.stsdane.relay.tlsrpt.internal;

import io.stsdane.relay.core.pki.TrustStores;
import io.stsdane.relay.tlsrpt.PendingReport;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import javax.net.ssl.X509TrustManager;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * POSTs a report to an {@code https:} destination (RFC 8460 §5.3.1) with {@code application/tlsrpt+gzip}.
 * The server must be PKIX-valid for its name; redirects are not followed (a redirect is a failure, like any
 * status outside 2xx). The client is derived from the relay's base client (its host name lookup, connection pool
 * and threads), which its owner shuts down. Thread-safe.
 */
final class HttpsReportSender implements ReportSender {

    private static final MediaType TLSRPT_GZIP = MediaType.get("application/tlsrpt+gzip");

    private final OkHttpClient client;

    HttpsReportSender(OkHttpClient base, X509TrustManager trustManager, Duration timeout) {
        this.client = base.newBuilder()
                .sslSocketFactory(TrustStores.clientSocketFactory(trustManager), trustManager)
                .followRedirects(false)
                .followSslRedirects(false)
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .writeTimeout(timeout)
                .callTimeout(timeout.multipliedBy(2))
                .build();
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
}
