package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.MxRecord;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.james.jspf.core.DNSRequest;
import org.apache.james.jspf.core.DNSService;
import org.apache.james.jspf.core.exceptions.TimeoutException;

/**
 * jSPF's access to DNS, through the relay's {@link DnsResolver}: the SPF check asks the same servers, with the
 * same failover, timeouts, cache and {@code relay.dns.lookups} metrics as delivery does.
 *
 * <p>jSPF's contract, as its own dnsjava implementation keeps it: the records as strings (addresses in text form,
 * host names, the character-strings of a TXT record concatenated), null when there are none (NXDOMAIN, NODATA),
 * and a {@link TimeoutException} when DNS gave no usable answer (timeout, SERVFAIL, an answer that failed DNSSEC
 * validation), which jSPF turns into temperror (RFC 7208 §4.4, §5).
 *
 * <p>Thread-safe.
 */
final class SpfDns implements DNSService {

    /** RFC 7208 §4.6.4: at most 10 names of an MX or PTR answer are looked up. */
    private static final int RECORD_LIMIT = 10;

    private final DnsResolver resolver;
    private final List<String> localNames;

    /** @param hostname the relay's name: the {@code %{r}} macro (RFC 7208 §7.3) */
    SpfDns(DnsResolver resolver, String hostname) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.localNames = List.of(hostname);
    }

    @Override
    public List<String> getRecords(DNSRequest request) throws TimeoutException {
        try {
            return getRecordsAsync(request).toCompletableFuture().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof TimeoutException timeout) {
                throw timeout;
            }
            throw e;
        }
    }

    @Override
    public CompletionStage<List<String>> getRecordsAsync(DNSRequest request) {
        String name = canonical(request.getHostname());
        CompletionStage<DnsResult<String>> answer = switch (request.getRecordType()) {
            case DNSRequest.A -> resolver.a(name).thenApply(r -> r.map(InetAddress::getHostAddress));
            case DNSRequest.AAAA -> resolver.aaaa(name).thenApply(r -> r.map(InetAddress::getHostAddress));
            case DNSRequest.MX -> resolver.mx(name).thenApply(r -> r.map(MxRecord::host));
            case DNSRequest.PTR -> resolver.ptr(name);
            case DNSRequest.TXT -> resolver.txt(name);
            // RFC 7208 §3.1, §14.1: SPF records are published as TXT only; the SPF RR type (99) is not asked.
            case DNSRequest.SPF -> CompletableFuture.completedFuture(null);
            default -> throw new IllegalArgumentException("jSPF asked for unknown record type "
                    + request.getRecordType());
        };
        return answer.thenCompose(SpfDns::records);
    }

    /** The records of a usable answer, null for none; a failed lookup fails the stage with a TimeoutException. */
    private static CompletionStage<List<String>> records(DnsResult<String> answer) {
        if (answer == null || answer.status().isNegative()) {
            return CompletableFuture.completedFuture(null);
        }
        if (!answer.isUsable()) {
            return CompletableFuture.failedFuture(new TimeoutException("DNS lookup of " + answer.name()
                    + " failed: " + answer.reason()));
        }
        return CompletableFuture.completedFuture(answer.records());
    }

    /** The resolver takes names lower case without the trailing dot jSPF may leave on them. */
    private static String canonical(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return n.toLowerCase(Locale.ROOT);
    }

    @Override
    public List<String> getLocalDomainNames() {
        return localNames;
    }

    @Override
    public int getRecordLimit() {
        return RECORD_LIMIT;
    }

    /** The limit is RFC 7208's, not a setting. */
    @Override
    public void setRecordLimit(int recordLimit) {
        throw new UnsupportedOperationException("the SPF record limit is RFC 7208's: " + RECORD_LIMIT);
    }

    /** The relay's resolver applies {@code dns.timeout} and {@code dns.retries} to every lookup. */
    @Override
    public void setTimeOut(int timeOut) {
        throw new UnsupportedOperationException(
                "SPF lookups use the timeout of the relay resolver (DnsOptions.timeout)");
    }
}
