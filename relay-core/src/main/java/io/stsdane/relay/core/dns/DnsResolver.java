package io.stsdane.relay.core.dns;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The relay's only way to ask DNS. Every answer carries its DNSSEC state.
 *
 * <p>Names are given and returned in lower case ASCII (A-labels), without a trailing dot. Implementations
 * never complete a stage exceptionally for DNS trouble: a timeout, a malformed or hostile answer is a
 * {@link DnsResult} with status {@link DnsStatus#ERROR}. Thread-safe; stages may complete on any thread.
 */
public interface DnsResolver {

    CompletionStage<DnsResult<MxRecord>> mx(String domain);

    /**
     * AAAA and A records of {@code host} (IPv6 first); security is the weaker of the two answers, except that
     * one query that got no answer (SERVFAIL, timeout) beside an INSECURE answer leaves the result INSECURE with
     * the addresses that came back: the zone is provably unsigned, so nothing DNSSEC protects is lost.
     */
    CompletionStage<DnsResult<InetAddress>> addresses(String host);

    /** A records of {@code host} alone, for a check that asks one address family (SPF, RFC 7208 §5.3). */
    CompletionStage<DnsResult<InetAddress>> a(String host);

    /** AAAA records of {@code host} alone, for a check that asks one address family (SPF, RFC 7208 §5.3). */
    CompletionStage<DnsResult<InetAddress>> aaaa(String host);

    /** TLSA records at exactly {@code name}, for example {@code _25._tcp.mx.example.com}. */
    CompletionStage<DnsResult<TlsaRecord>> tlsa(String name);

    /** TXT records at {@code name}, each one with its character-strings concatenated. */
    CompletionStage<DnsResult<String>> txt(String name);

    /**
     * PTR records at {@code name}, a reverse-mapping name such as {@code 1.2.0.192.in-addr.arpa}: the host names
     * they point to (SPF's {@code ptr} mechanism and {@code %{p}} macro, RFC 7208 §5.5, §7.3).
     */
    CompletionStage<DnsResult<String>> ptr(String name);

    /** The servers this resolver asks, for diagnostics ({@code relay check}); may be empty for the system default. */
    default List<String> describeServers() {
        return List.of();
    }
}
