package io.stsdane.relay.bench.jmh;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.dns.TlsaRecord;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An in-memory {@link DnsResolver} with fixed, already-completed answers, so a hot-path benchmark measures the
 * code above DNS and not a network round trip (the relay's resolver caches answers the same way). Names absent
 * from the maps answer NXDOMAIN. Immutable and thread-safe.
 */
record FixedDnsResolver(DnsSecurity security, Map<String, List<MxRecord>> mx, Map<String, List<InetAddress>> addresses,
        Map<String, List<TlsaRecord>> tlsa, Map<String, List<String>> txt) implements DnsResolver {

    @Override
    public CompletionStage<DnsResult<MxRecord>> mx(String domain) {
        return answer(domain, mx);
    }

    @Override
    public CompletionStage<DnsResult<InetAddress>> addresses(String host) {
        return answer(host, addresses);
    }

    @Override
    public CompletionStage<DnsResult<InetAddress>> a(String host) {
        return answer(host, addresses).thenApply(r -> r.filter(Inet4Address.class::isInstance));
    }

    @Override
    public CompletionStage<DnsResult<InetAddress>> aaaa(String host) {
        return answer(host, addresses).thenApply(r -> r.filter(Inet6Address.class::isInstance));
    }

    @Override
    public CompletionStage<DnsResult<TlsaRecord>> tlsa(String name) {
        return answer(name, tlsa);
    }

    @Override
    public CompletionStage<DnsResult<String>> txt(String name) {
        return answer(name, txt);
    }

    /** No PTR records: the benchmarks do not check SPF. */
    @Override
    public CompletionStage<DnsResult<String>> ptr(String name) {
        return answer(name, Map.of());
    }

    private <T> CompletionStage<DnsResult<T>> answer(String name, Map<String, List<T>> zone) {
        List<T> records = zone.get(name);
        DnsStatus status = records == null ? DnsStatus.NXDOMAIN : records.isEmpty() ? DnsStatus.NODATA : DnsStatus.NOERROR;
        return CompletableFuture.completedFuture(new DnsResult<>(name, status, security, List.of(),
                records == null ? List.of() : records, "", 3600));
    }
}
