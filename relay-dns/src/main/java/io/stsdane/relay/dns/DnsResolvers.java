package io.stsdane.relay.dns;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnssecMode;
import io.stsdane.relay.dns.internal.ResolverFactory;
import java.util.Objects;

/** Creates the relay's {@link DnsResolver}. */
public final class DnsResolvers {

    private DnsResolvers() {
    }

    /**
     * A resolver for {@code options}: dnsjava transport, DNSSEC as {@link DnsOptions#dnssec()} says, answers
     * cached by TTL up to {@link DnsOptions#cacheMaxEntries()}. With {@link DnssecMode#OFF} a loud warning is
     * logged, since DANE is then disabled.
     *
     * @throws IllegalArgumentException with a message telling the operator what to change: trust-ad towards a
     *     non-loopback server without {@code dns.allow-non-loopback-ad}, an unreadable or empty trust-anchor
     *     file, no server at all, or a non-positive timeout
     */
    public static DnsResolver create(DnsOptions options) {
        return ResolverFactory.create(options, Ticker.systemTicker());
    }

    /**
     * As {@link #create(DnsOptions)}, and counts every answer fetched from the network (cache hits are not
     * counted) as {@code relay.dns.lookups} with tags {@code type} (MX, A, AAAA, TLSA, TXT, PTR), {@code status}
     * (noerror, nxdomain, nodata, error) and {@code security} (secure, insecure, bogus, indeterminate).
     */
    public static DnsResolver create(DnsOptions options, MeterRegistry registry) {
        return ResolverFactory.create(options, Ticker.systemTicker(), Objects.requireNonNull(registry, "registry"));
    }
}
