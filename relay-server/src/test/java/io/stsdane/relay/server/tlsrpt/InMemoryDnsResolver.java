package io.stsdane.relay.server.tlsrpt;

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
 * A DnsResolver answering from maps: TXT and address records, names that fail (SERVFAIL-like), and names whose
 * next answer is held back until the test lets it go.
 */
final class InMemoryDnsResolver implements DnsResolver {

    private final Map<String, List<String>> txt = new ConcurrentHashMap<>();
    private final Map<String, List<InetAddress>> addresses = new ConcurrentHashMap<>();
    private final Map<String, String> failing = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<?>> held = new ConcurrentHashMap<>();

    InMemoryDnsResolver txt(String name, String... records) {
        txt.put(name, List.of(records));
        return this;
    }

    InMemoryDnsResolver address(String host, InetAddress address) {
        addresses.put(host, List.of(address));
        return this;
    }

    InMemoryDnsResolver failing(String name, String reason) {
        failing.put(name, reason);
        return this;
    }

    InMemoryDnsResolver healed(String name) {
        failing.remove(name);
        return this;
    }

    /** The next TXT lookup of {@code name} (only that one) answers when {@code until} completes. */
    InMemoryDnsResolver holdNextTxt(String name, CompletableFuture<?> until) {
        held.put(name, until);
        return this;
    }

    @Override
    public CompletionStage<DnsResult<String>> txt(String name) {
        CompletableFuture<?> until = held.remove(name);
        if (until != null) {
            return until.thenCompose(x -> answer(name, txt.get(name)));
        }
        return answer(name, txt.get(name));
    }

    @Override
    public CompletionStage<DnsResult<InetAddress>> addresses(String host) {
        return answer(host, addresses.get(host));
    }

    @Override
    public CompletionStage<DnsResult<MxRecord>> mx(String domain) {
        return answer(domain, null);
    }

    @Override
    public CompletionStage<DnsResult<TlsaRecord>> tlsa(String name) {
        return answer(name, null);
    }

    private <T> CompletionStage<DnsResult<T>> answer(String name, List<T> records) {
        String failure = failing.get(name);
        if (failure != null) {
            return CompletableFuture.completedFuture(DnsResult.error(name, DnsSecurity.INDETERMINATE, failure));
        }
        DnsStatus status = records == null ? DnsStatus.NXDOMAIN : DnsStatus.NOERROR;
        return CompletableFuture.completedFuture(new DnsResult<>(name, status, DnsSecurity.INSECURE, List.of(),
                records == null ? List.of() : records, "", 300));
    }
}
