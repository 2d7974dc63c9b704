package io.stsdane.relay.core.testing;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.HostAddresses;
import java.time.Duration;
import okhttp3.OkHttpClient;

/**
 * The base HTTP client a test hands to a module that fetches over HTTPS (MTA-STS, TLS-RPT), built as the relay's
 * wiring builds it: host names resolved only through the given {@link DnsResolver}.
 */
public final class HttpClients {

    private HttpClients() {
    }

    /** A client that resolves host names only through {@code dns}, like the relay's. */
    public static OkHttpClient resolvingThrough(DnsResolver dns) {
        return new OkHttpClient.Builder().dns(new HostAddresses(dns, Duration.ofSeconds(10))::lookup).build();
    }

    /** Stops the threads of a client from {@link #resolvingThrough} (and of every client derived from it). */
    public static void shutdown(OkHttpClient client) {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
