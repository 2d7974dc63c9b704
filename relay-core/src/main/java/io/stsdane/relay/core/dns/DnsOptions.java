package io.stsdane.relay.core.dns;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the DNS layer (the {@code dns:} configuration section).
 *
 * @param servers resolvers to ask, in order; empty means the system's resolvers
 * @param dnssec how security state is learned
 * @param trustAnchors zone-file DS/DNSKEY records for {@link DnssecMode#VALIDATE}; null means the built-in IANA
 *     root anchors
 * @param allowNonLoopbackAd with {@link DnssecMode#TRUST_AD}: trust the AD bit even from a resolver that is not
 *     on a loopback address ({@code dns.allow-non-loopback-ad}); off by default because the AD bit from across a
 *     network can be forged
 * @param timeout per query and server
 * @param retries further attempts across the servers after the first
 * @param cacheMaxEntries bound on the answer cache
 * @param insecureDomains canonical domain names whose names, at or below them, are resolved without DNSSEC
 *     validation and are INSECURE ({@code dns.insecure-domains}, as unbound's {@code domain-insecure}): for
 *     internal names the public DNS does not know, which validation would call bogus. No DANE for them.
 */
public record DnsOptions(
        List<InetSocketAddress> servers,
        DnssecMode dnssec,
        Path trustAnchors,
        boolean allowNonLoopbackAd,
        Duration timeout,
        int retries,
        long cacheMaxEntries,
        List<String> insecureDomains) {

    public DnsOptions {
        servers = List.copyOf(servers);
        Objects.requireNonNull(dnssec, "dnssec");
        Objects.requireNonNull(timeout, "timeout");
        insecureDomains = List.copyOf(insecureDomains);
    }

    /** Without insecure domains. */
    public DnsOptions(List<InetSocketAddress> servers, DnssecMode dnssec, Path trustAnchors,
            boolean allowNonLoopbackAd, Duration timeout, int retries, long cacheMaxEntries) {
        this(servers, dnssec, trustAnchors, allowNonLoopbackAd, timeout, retries, cacheMaxEntries, List.of());
    }

    /** Defaults: system resolvers, in-process validation with the built-in root anchors, 5 s timeout, 2 retries. */
    public static DnsOptions defaults() {
        return new DnsOptions(List.of(), DnssecMode.VALIDATE, null, false, Duration.ofSeconds(5), 2, 100_000);
    }

    public DnsOptions withServers(List<InetSocketAddress> s) {
        return new DnsOptions(s, dnssec, trustAnchors, allowNonLoopbackAd, timeout, retries, cacheMaxEntries,
                insecureDomains);
    }

    public DnsOptions withInsecureDomains(List<String> domains) {
        return new DnsOptions(servers, dnssec, trustAnchors, allowNonLoopbackAd, timeout, retries, cacheMaxEntries,
                domains);
    }
}
