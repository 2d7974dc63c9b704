package io.stsdane.relay.core.dns;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One DNS answer: the records, the CNAME chain that was followed to reach them, and the security state.
 *
 * @param name the name that was asked for (lower case, no trailing dot)
 * @param status what the answer said
 * @param security the DNSSEC state of the whole answer, CNAME links included (the weakest link wins)
 * @param cnameChain the CNAME targets followed from {@code name}, in order; empty when there was none
 * @param records the records of the asked type at the end of the chain; empty unless status is NOERROR
 * @param reason why the state is BOGUS or INDETERMINATE or the status is ERROR; empty otherwise
 * @param ttlSeconds how long the answer may be cached
 */
public record DnsResult<T>(
        String name,
        DnsStatus status,
        DnsSecurity security,
        List<String> cnameChain,
        List<T> records,
        String reason,
        long ttlSeconds) {

    public DnsResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(security, "security");
        cnameChain = List.copyOf(cnameChain);
        records = List.copyOf(records);
        reason = reason == null ? "" : reason;
    }

    /** A failed lookup (timeout, SERVFAIL, malformed answer...). */
    public static <T> DnsResult<T> error(String name, DnsSecurity security, String reason) {
        return new DnsResult<>(name, DnsStatus.ERROR, security, List.of(), List.of(), reason, 0);
    }

    /** The name at the end of the CNAME chain (the name itself when there is no chain). */
    public String canonicalName() {
        return cnameChain.isEmpty() ? name : cnameChain.get(cnameChain.size() - 1);
    }

    /** True when the answer is usable at all: not an ERROR and not BOGUS/INDETERMINATE. */
    public boolean isUsable() {
        return status != DnsStatus.ERROR && !security.isFailure();
    }

    /**
     * The same answer with only the records {@code keep} accepts (for example the IPv4 addresses of an address
     * set); an answer left with no records says NODATA, as the DNS would for a type with no records.
     */
    public DnsResult<T> filter(Predicate<? super T> keep) {
        List<T> kept = records.stream().filter(keep).toList();
        DnsStatus s = status == DnsStatus.NOERROR && kept.isEmpty() ? DnsStatus.NODATA : status;
        return new DnsResult<>(name, s, security, cnameChain, kept, reason, ttlSeconds);
    }

    /** The same answer with its records mapped (for example to a narrower type). */
    public <U> DnsResult<U> map(Function<? super T, ? extends U> f) {
        return new DnsResult<>(name, status, security, cnameChain,
                records.stream().<U>map(f).toList(), reason, ttlSeconds);
    }
}
