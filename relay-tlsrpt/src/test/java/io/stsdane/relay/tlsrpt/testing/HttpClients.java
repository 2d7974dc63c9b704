package io.stsdane.relay.tlsrpt.testing;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.HostAddresses;
import java.time.Duration;
import okhttp3.OkHttpClient;

/** The base HTTP client a test hands to {@code TlsRpt.Builder#httpClient}, as the relay's wiring builds it. */
public final class HttpClients {

    private HttpClients() {
    }

    /** A client that resolves host names only through {@code dns}, like the relay's. */
    public static OkHttpClient resolvingThrough(DnsResolver dns) {
        return new OkHttpClient.Builder().dns(new HostAddresses(dns, Duration.ofSeconds(10))::lookup).build();
    }
}
