package io.stsdane.relay.sts.internal;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.util.DomainNames;
import io.stsdane.relay.core.util.Futures;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import okhttp3.Dns;

/**
 * OkHttp's host name seam, answered by the relay's own resolver: the policy host is never resolved around the
 * relay's DNS layer (RFC 8461 §3.3). A failed, bogus or indeterminate answer is an unknown host.
 *
 * <p>Thread-safe; blocks the calling OkHttp thread for at most {@code timeout}.
 */
public final class ResolverDns implements Dns {

    private final DnsResolver resolver;
    private final Duration timeout;

    public ResolverDns(DnsResolver resolver, Duration timeout) {
        this.resolver = resolver;
        this.timeout = timeout;
    }

    @Override
    public List<InetAddress> lookup(String hostname) throws UnknownHostException {
        DnsResult<InetAddress> answer;
        try {
            answer = Futures.await(resolver.addresses(DomainNames.canonical(hostname)), timeout);
        } catch (TimeoutException e) {
            throw unknown(hostname, e.getMessage());
        } catch (CompletionException | IllegalArgumentException e) {
            throw unknown(hostname, e.toString());
        }
        if (!answer.isUsable() || answer.records().isEmpty()) {
            throw unknown(hostname, answer.status() + ", " + answer.security()
                    + (answer.reason().isEmpty() ? "" : ": " + answer.reason()));
        }
        return answer.records();
    }

    private static UnknownHostException unknown(String hostname, String why) {
        return new UnknownHostException("no usable address for " + hostname + " (" + why + ")");
    }
}
