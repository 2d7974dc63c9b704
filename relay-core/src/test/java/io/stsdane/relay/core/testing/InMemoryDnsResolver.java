package io.stsdane.relay.core.testing;

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
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link DnsResolver} answering from tables that the test fills in, with whatever DNSSEC state the test
 * wants: for tests of the code above DNS. Tests of DNS itself (DNSSEC validation, CNAME chains, truncation)
 * use a real resolver against relay-testkit's {@code DnsTestServer} instead.
 *
 * <p>What it answers, for every record type:
 * <ul>
 *   <li>a name given records: NOERROR with them; a name given an empty list: NODATA;</li>
 *   <li>a name never mentioned: NXDOMAIN, INSECURE (as an unsigned zone would say);</li>
 *   <li>a name marked {@link #failing}: ERROR, INDETERMINATE, as a SERVFAIL or a timeout would be, for every
 *       type, until {@link #healed}.</li>
 * </ul>
 * Answers are already completed when returned, except address lookups after {@link #addressesOnAnotherThread()}.
 * TLSA and PTR queries have no table: they answer NXDOMAIN unless the name is failing. A and AAAA queries answer
 * from the address table, with the addresses of their family.
 *
 * <p>Thread-safe: the tables are concurrent, so a test may change an answer while the code under test is
 * asking; each query sees the table as it is at that moment.
 */
public final class InMemoryDnsResolver implements DnsResolver {

    /** The TTL of every answer built here. */
    public static final long TTL_SECONDS = 300;

    private final Map<String, DnsResult<MxRecord>> mx = new ConcurrentHashMap<>();
    private final Map<String, DnsResult<InetAddress>> addresses = new ConcurrentHashMap<>();
    private final Map<String, DnsResult<String>> txt = new ConcurrentHashMap<>();
    private final Map<String, String> failing = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<?>> heldTxt = new ConcurrentHashMap<>();
    private final java.util.Set<String> silentHosts = ConcurrentHashMap.newKeySet();
    private volatile boolean addressesOnAnotherThread;

    /** MX records of {@code domain} with the given security; none at all is NODATA (RFC 5321 §5.1: implicit MX). */
    public InMemoryDnsResolver mx(String domain, DnsSecurity security, MxRecord... records) {
        return put(mx, domain, records(domain, security, List.of(records)));
    }

    /** A record-less MX answer, for example a signed NXDOMAIN or an ERROR that is BOGUS. */
    public InMemoryDnsResolver mx(String domain, DnsStatus status, DnsSecurity security) {
        return put(mx, domain, withoutRecords(domain, status, security));
    }

    /** Exactly this MX answer, for a state the other builders cannot express (a reason, a CNAME chain...). */
    public InMemoryDnsResolver mx(String domain, DnsResult<MxRecord> answer) {
        return put(mx, domain, answer);
    }

    /** Address records of {@code host}, INSECURE. */
    public InMemoryDnsResolver address(String host, InetAddress... hostAddresses) {
        return address(host, DnsSecurity.INSECURE, hostAddresses);
    }

    /** Address records of {@code host} with the given security; none at all is NODATA. */
    public InMemoryDnsResolver address(String host, DnsSecurity security, InetAddress... hostAddresses) {
        return put(addresses, host, records(host, security, List.of(hostAddresses)));
    }

    /** A record-less address answer, for example an ERROR that is BOGUS. */
    public InMemoryDnsResolver address(String host, DnsStatus status, DnsSecurity security) {
        return put(addresses, host, withoutRecords(host, status, security));
    }

    /** TXT records at {@code name}, INSECURE (MTA-STS and TLS-RPT need no DNSSEC); replaces any earlier ones. */
    public InMemoryDnsResolver txt(String name, String... records) {
        return put(txt, name, records(name, DnsSecurity.INSECURE, List.of(records)));
    }

    /** Forgets the TXT records at {@code name}: it answers NXDOMAIN again. */
    public InMemoryDnsResolver removeTxt(String name) {
        txt.remove(name);
        return this;
    }

    /** The next TXT lookup of {@code name} (only that one) answers when {@code until} completes. */
    public InMemoryDnsResolver holdNextTxt(String name, CompletableFuture<?> until) {
        heldTxt.put(name, until);
        return this;
    }

    /** Every query for {@code name}, of any type, fails as a SERVFAIL would, with {@code reason}. */
    public InMemoryDnsResolver failing(String name, String reason) {
        failing.put(name, reason);
        return this;
    }

    /** Undoes {@link #failing}: {@code name} answers from the tables again. */
    public InMemoryDnsResolver healed(String name) {
        failing.remove(name);
        return this;
    }

    /** Address lookups of {@code host} never answer, as a resolver whose every server stays silent. */
    public InMemoryDnsResolver silent(String host) {
        silentHosts.add(host);
        return this;
    }

    /**
     * Completes address lookups on a pool thread, later than the call, as a real resolver does; MX answers stay
     * already completed. Code that chains an MX lookup into address lookups then meets both kinds of completion.
     */
    public InMemoryDnsResolver addressesOnAnotherThread() {
        addressesOnAnotherThread = true;
        return this;
    }

    @Override
    public CompletionStage<DnsResult<MxRecord>> mx(String domain) {
        return CompletableFuture.completedFuture(answer(domain, mx));
    }

    @Override
    public CompletionStage<DnsResult<InetAddress>> addresses(String host) {
        if (silentHosts.contains(host)) {
            return new CompletableFuture<>();
        }
        return addressesOnAnotherThread
                ? CompletableFuture.supplyAsync(() -> answer(host, addresses))
                : CompletableFuture.completedFuture(answer(host, addresses));
    }

    @Override
    public CompletionStage<DnsResult<InetAddress>> a(String host) {
        return addresses(host).thenApply(r -> r.filter(Inet4Address.class::isInstance));
    }

    @Override
    public CompletionStage<DnsResult<InetAddress>> aaaa(String host) {
        return addresses(host).thenApply(r -> r.filter(Inet6Address.class::isInstance));
    }

    @Override
    public CompletionStage<DnsResult<TlsaRecord>> tlsa(String name) {
        return CompletableFuture.completedFuture(answer(name, Map.of()));
    }

    @Override
    public CompletionStage<DnsResult<String>> ptr(String name) {
        return CompletableFuture.completedFuture(answer(name, Map.of()));
    }

    @Override
    public CompletionStage<DnsResult<String>> txt(String name) {
        CompletableFuture<?> until = heldTxt.remove(name);
        if (until != null) {
            return until.thenApply(x -> answer(name, txt));
        }
        return CompletableFuture.completedFuture(answer(name, txt));
    }

    private <T> InMemoryDnsResolver put(Map<String, DnsResult<T>> table, String name, DnsResult<T> answer) {
        table.put(name, answer);
        return this;
    }

    private <T> DnsResult<T> answer(String name, Map<String, DnsResult<T>> table) {
        String failure = failing.get(name);
        if (failure != null) {
            return DnsResult.error(name, DnsSecurity.INDETERMINATE, failure);
        }
        DnsResult<T> answer = table.get(name);
        return answer != null ? answer : withoutRecords(name, DnsStatus.NXDOMAIN, DnsSecurity.INSECURE);
    }

    private static <T> DnsResult<T> records(String name, DnsSecurity security, List<T> records) {
        return new DnsResult<>(name, records.isEmpty() ? DnsStatus.NODATA : DnsStatus.NOERROR, security, List.of(),
                records, "", TTL_SECONDS);
    }

    private static <T> DnsResult<T> withoutRecords(String name, DnsStatus status, DnsSecurity security) {
        String reason = status == DnsStatus.ERROR || security.isFailure() ? "test: " + status : "";
        return new DnsResult<>(name, status, security, List.of(), List.of(), reason, TTL_SECONDS);
    }
}
