package io.stsdane.relay.server;

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

/** A resolver that answers MX queries from a table; any other name is NXDOMAIN. Thread-safe. */
public final class FakeDnsResolver implements DnsResolver {

    private final Map<String, DnsResult<MxRecord>> mx = new ConcurrentHashMap<>();

    public FakeDnsResolver mx(String domain, DnsSecurity security, MxRecord... records) {
        mx.put(domain, new DnsResult<>(domain, records.length == 0 ? DnsStatus.NODATA : DnsStatus.NOERROR,
                security, List.of(), List.of(records), "", 300));
        return this;
    }

    public FakeDnsResolver mxResult(String domain, DnsResult<MxRecord> result) {
        mx.put(domain, result);
        return this;
    }

    @Override
    public CompletionStage<DnsResult<MxRecord>> mx(String domain) {
        return CompletableFuture.completedFuture(mx.getOrDefault(domain, nxdomain(domain)));
    }

    @Override
    public CompletionStage<DnsResult<InetAddress>> addresses(String host) {
        return CompletableFuture.completedFuture(nxdomain(host));
    }

    @Override
    public CompletionStage<DnsResult<TlsaRecord>> tlsa(String name) {
        return CompletableFuture.completedFuture(nxdomain(name));
    }

    @Override
    public CompletionStage<DnsResult<String>> txt(String name) {
        return CompletableFuture.completedFuture(nxdomain(name));
    }

    private static <T> DnsResult<T> nxdomain(String name) {
        return new DnsResult<>(name, DnsStatus.NXDOMAIN, DnsSecurity.INSECURE, List.of(), List.of(), "", 60);
    }
}
