package io.stsdane.relay.core.dns;

import io.stsdane.relay.core.util.DomainNames;
import io.stsdane.relay.core.util.Futures;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * The relay's resolver behind a blocking host name seam, for libraries that resolve names themselves: OkHttp's
 * {@code Dns} is {@code new HostAddresses(resolver, wait)::lookup}, so an HTTPS host (an MTA-STS policy host, a
 * TLS-RPT upload endpoint) is never resolved around the relay's DNS layer (RFC 8461 §3.3). A failed, bogus or
 * indeterminate answer, or none, is an unknown host: never a fallback to the system resolver.
 *
 * <p>Thread-safe; blocks the calling thread for at most {@code wait}.
 */
public final class HostAddresses {

    private final DnsResolver resolver;
    private final Duration wait;

    /**
     * @param wait the longest a lookup blocks; a backstop, since the resolver bounds each query itself
     */
    public HostAddresses(DnsResolver resolver, Duration wait) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        if (wait.isNegative() || wait.isZero()) {
            throw new IllegalArgumentException("wait must be positive, got " + wait);
        }
        this.wait = wait;
    }

    /** The usable addresses of {@code hostname} (IPv6 first), as {@link DnsResolver#addresses} answers. */
    public List<InetAddress> lookup(String hostname) throws UnknownHostException {
        DnsResult<InetAddress> answer;
        try {
            answer = Futures.await(resolver.addresses(DomainNames.canonical(hostname)), wait);
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
