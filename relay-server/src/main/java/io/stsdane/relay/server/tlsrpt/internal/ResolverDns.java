package io.stsdane.relay.server.tlsrpt.internal;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import okhttp3.Dns;

/** Lets OkHttp resolve report endpoints through the relay's own resolver, never around it. Thread-safe. */
final class ResolverDns implements Dns {

    private final DnsResolver resolver;
    private final Duration timeout;

    ResolverDns(DnsResolver resolver, Duration timeout) {
        this.resolver = resolver;
        this.timeout = timeout;
    }

    @Override
    public List<InetAddress> lookup(String hostname) throws UnknownHostException {
        String host = hostname.toLowerCase(Locale.ROOT);
        DnsResult<InetAddress> result;
        try {
            result = resolver.addresses(host).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnknownHostException(host + ": interrupted");
        } catch (ExecutionException | TimeoutException e) {
            throw new UnknownHostException(host + ": " + e);
        }
        if (!result.isUsable() || result.records().isEmpty()) {
            throw new UnknownHostException(host + ": " + result.status() + " " + result.security() + " "
                    + result.reason());
        }
        return result.records();
    }
}
