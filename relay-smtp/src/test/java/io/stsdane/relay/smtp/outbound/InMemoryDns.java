package io.stsdane.relay.smtp.outbound;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.dns.TlsaRecord;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A DNS resolver answering from maps, with any security state: enough for routing tests until the signed-zone
 * fixture is wired in. Unknown names are insecure NXDOMAIN. Thread-safe.
 */
final class InMemoryDns implements DnsResolver {

    private final Map<String, DnsResult<MxRecord>> mx = new ConcurrentHashMap<>();
    private final Map<String, DnsResult<InetAddress>> addresses = new ConcurrentHashMap<>();

    InMemoryDns mx(String domain, DnsSecurity security, MxRecord... records) {
        mx.put(domain, new DnsResult<>(domain, records.length == 0 ? DnsStatus.NODATA : DnsStatus.NOERROR, security,
                List.of(), List.of(records), "", 300));
        return this;
    }

    InMemoryDns mxResult(String domain, DnsStatus status, DnsSecurity security) {
        mx.put(domain, new DnsResult<>(domain, status, security, List.of(), List.of(), "test: " + status, 300));
        return this;
    }

    InMemoryDns host(String host, DnsSecurity security, InetAddress... addrs) {
        addresses.put(host, new DnsResult<>(host, DnsStatus.NOERROR, security, List.of(), List.of(addrs), "", 300));
        return this;
    }

    InMemoryDns hostResult(String host, DnsStatus status, DnsSecurity security) {
        addresses.put(host, new DnsResult<>(host, status, security, List.of(), List.of(), "test: " + status, 300));
        return this;
    }

    @Override
    public CompletionStage<DnsResult<MxRecord>> mx(String domain) {
        return CompletableFuture.completedFuture(mx.getOrDefault(domain, nx(domain)));
    }

    @Override
    public CompletionStage<DnsResult<InetAddress>> addresses(String host) {
        return CompletableFuture.supplyAsync(() -> addresses.getOrDefault(host, nx(host)));
    }

    @Override
    public CompletionStage<DnsResult<TlsaRecord>> tlsa(String name) {
        return CompletableFuture.completedFuture(nx(name));
    }

    @Override
    public CompletionStage<DnsResult<String>> txt(String name) {
        return CompletableFuture.completedFuture(nx(name));
    }

    private static <T> DnsResult<T> nx(String name) {
        return new DnsResult<>(name, DnsStatus.NXDOMAIN, DnsSecurity.INSECURE, List.of(), List.of(), "", 300);
    }
}
