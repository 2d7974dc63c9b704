package io.stsdane.relay.server.wiring;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.HostAddresses;
import java.net.Proxy;
import java.time.Duration;
import okhttp3.OkHttpClient;

/**
 * The relay's one HTTP client, from which MTA-STS policy fetches and TLS-RPT uploads derive their own
 * ({@link OkHttpClient#newBuilder()}: each module sets its trust, timeouts and redirect rules). It holds what they
 * share: host names resolved only through the relay's resolver (RFC 8461 §3.3; a failed or bogus answer is an
 * unknown host, never a fallback to the system resolver), no proxy from the environment (which would resolve
 * names around that resolver), one connection pool and one dispatcher. Its owner shuts it down once, after the
 * modules that use it. Thread-safe.
 */
public final class OutboundHttp {

    /**
     * The longest a host name lookup may block an HTTP call: RFC 8461 §3.3's bound on a whole policy fetch. A
     * backstop only; the resolver ends each query far sooner.
     */
    static final Duration DNS_WAIT = Duration.ofMinutes(1);

    private OutboundHttp() {
    }

    /** The base client over {@code dns}. */
    public static OkHttpClient client(DnsResolver dns) {
        return new OkHttpClient.Builder()
                .dns(new HostAddresses(dns, DNS_WAIT)::lookup)
                .proxy(Proxy.NO_PROXY)
                .build();
    }

    /** Stops the dispatcher's threads and closes pooled connections; calls still running finish. */
    public static void shutdown(OkHttpClient client) {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
