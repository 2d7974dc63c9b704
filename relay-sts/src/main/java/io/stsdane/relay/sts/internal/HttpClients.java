package io.stsdane.relay.sts.internal;

import io.stsdane.relay.core.dns.DnsResolver;
import java.net.Proxy;
import java.security.GeneralSecurityException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

/** Builds the one OkHttp client that policy fetches use (RFC 8461 §3.3 constraints baked in). */
public final class HttpClients {

    private HttpClients() {
    }

    /**
     * A client that resolves through {@code resolver}, validates with {@code trust} (OkHttp's host name verifier
     * checks {@code mta-sts.<domain>}), ignores proxy settings from the environment, follows no redirect, keeps no
     * cookies or cache, and gives up after {@code timeout} in total.
     */
    public static OkHttpClient create(DnsResolver resolver, X509TrustManager trust, Duration timeout) {
        SSLContext tls;
        try {
            tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {trust}, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot initialise TLS for MTA-STS fetches", e);
        }
        return new OkHttpClient.Builder()
                .dns(new ResolverDns(resolver, timeout))
                .sslSocketFactory(tls.getSocketFactory(), trust)
                .proxy(Proxy.NO_PROXY)
                .followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(false)
                .connectTimeout(timeout)
                .readTimeout(timeout)
                .writeTimeout(timeout)
                .callTimeout(timeout)
                .build();
    }

    /** Releases the client's threads and pooled connections. */
    public static void shutdown(OkHttpClient client) {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
