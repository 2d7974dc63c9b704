package io.stsdane.relay.sts.internal;

import io.stsdane.relay.core.pki.TrustStores;
import java.net.Proxy;
import java.time.Duration;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

/** Derives the OkHttp client that policy fetches use (RFC 8461 §3.3 constraints baked in). */
public final class HttpClients {

    private HttpClients() {
    }

    /**
     * A client derived from {@code base} (its host name lookup, which must be the relay's resolver, its connection
     * pool and threads) that validates with {@code trust} (OkHttp's host name verifier checks
     * {@code mta-sts.<domain>}), uses no proxy, follows no redirect, retries nothing, and gives up after
     * {@code timeout} in total. The base's owner shuts the threads and pool down.
     */
    public static OkHttpClient derive(OkHttpClient base, X509TrustManager trust, Duration timeout) {
        return base.newBuilder()
                .sslSocketFactory(TrustStores.clientSocketFactory(trust), trust)
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
}
