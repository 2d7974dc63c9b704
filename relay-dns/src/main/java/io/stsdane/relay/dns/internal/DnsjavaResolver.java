package io.stsdane.relay.dns.internal;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.dns.TlsaRecord;
import io.stsdane.relay.core.util.DomainNames;
import io.stsdane.relay.core.util.Throwables;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * The relay's {@link DnsResolver} on dnsjava: asynchronous queries through a (possibly validating) dnsjava
 * {@link Resolver}, CNAME chains followed with their security combined, answers cached by TTL.
 *
 * <p>Thread-safe. Stages never complete exceptionally: every failure is a {@link DnsStatus#ERROR} result.
 */
final class DnsjavaResolver implements DnsResolver {

    private static final Logger log = LoggerFactory.getLogger(DnsjavaResolver.class);

    /** More records than this in one answer is hostile or broken; no MX/TLSA/address set needs it. */
    static final int MAX_RECORDS = 100;
    /** RFC 1034 §3.6.2 discourages chains at all; resolvers give up near this length. */
    static final int MAX_CHAIN = 8;

    /** A cache key; {@code name} is canonical, so the caller's string is usually the key itself. */
    private record Key(String name, int type) {
    }

    /** The address set last combined for a host, and the two answers it was combined from. */
    private record Combined(DnsResult<InetAddress> v6, DnsResult<InetAddress> v4, DnsResult<InetAddress> result) {
    }

    /**
     * How a name is asked: through which transport, and how its answers are classified and read.
     *
     * @param askForAd set AD in queries (RFC 6840 §5.7) so a validating resolver reports its verdict
     */
    record Path(Resolver transport, boolean askForAd, SecurityClassifier classifier, ResponseReader reader) {

        static Path of(Resolver transport, boolean askForAd, SecurityClassifier classifier) {
            return new Path(transport, askForAd, classifier, new ResponseReader(classifier, MAX_RECORDS, MAX_CHAIN));
        }
    }

    private final Path validating;
    private final Path unvalidated;
    private final List<String> insecureDomains;
    private final List<String> servers;
    private final Duration budget;
    /** Answers already mapped to the relay's record types, so a cache hit hands out the cached value itself. */
    private final AsyncCache<Key, DnsResult<?>> cache;
    /** Per host, the last {@link #combine} result; valid only while both halves are the cached answers. */
    private final Cache<String, Combined> combined;
    private final DnsMetrics metrics;

    /**
     * @param validating how names are asked normally: queries sent (UDP with TCP fallback, retries) and
     *     validated as the DNSSEC mode says
     * @param unvalidated how names at or below {@code insecureDomains} are asked: no validation, every answer
     *     INSECURE
     * @param insecureDomains canonical names ({@code dns.insecure-domains})
     * @param budget overall time one lookup may take, a guard above the transport's own timeouts
     * @param metrics counts each answer fetched (not served from the cache)
     */
    DnsjavaResolver(Path validating, Path unvalidated, List<String> insecureDomains, List<String> servers,
            Duration budget, long cacheMaxEntries, Ticker ticker, DnsMetrics metrics) {
        this.validating = validating;
        this.unvalidated = unvalidated;
        this.insecureDomains = List.copyOf(insecureDomains);
        this.servers = List.copyOf(servers);
        this.budget = budget;
        this.cache = Caffeine.newBuilder()
                .maximumSize(cacheMaxEntries)
                .ticker(ticker)
                .expireAfter(Expiry.creating((Key k, DnsResult<?> v) -> Duration.ofSeconds(v.ttlSeconds())))
                .buildAsync();
        this.combined = Caffeine.newBuilder().maximumSize(cacheMaxEntries).build();
        this.metrics = metrics;
    }

    @Override
    public CompletionStage<DnsResult<MxRecord>> mx(String domain) {
        return lookup(domain, Type.MX, rec -> {
            MXRecord mx = (MXRecord) rec;
            return new MxRecord(mx.getPriority(), Names.canonical(mx.getTarget()));
        });
    }

    /**
     * The AAAA and A answers combined ({@link #combine}). The combination is kept beside the cache and handed
     * out again only while both halves are still the very answers it was made of: an expired or changed half
     * is a new answer object, so the address set never outlives either half's TTL.
     */
    @Override
    public CompletionStage<DnsResult<InetAddress>> addresses(String host) {
        return aaaa(host).thenCombine(a(host), (v6, v4) -> {
            Combined last = combined.getIfPresent(v4.name());
            if (last != null && last.v6() == v6 && last.v4() == v4) {
                return last.result();
            }
            DnsResult<InetAddress> result = combine(v6, v4);
            combined.put(v4.name(), new Combined(v6, v4, result));
            return result;
        });
    }

    @Override
    public CompletionStage<DnsResult<InetAddress>> a(String host) {
        return lookup(host, Type.A, rec -> ((ARecord) rec).getAddress());
    }

    @Override
    public CompletionStage<DnsResult<InetAddress>> aaaa(String host) {
        return lookup(host, Type.AAAA, rec -> ((AAAARecord) rec).getAddress());
    }

    @Override
    public CompletionStage<DnsResult<TlsaRecord>> tlsa(String name) {
        return lookup(name, Type.TLSA, rec -> {
            TLSARecord t = (TLSARecord) rec;
            return new TlsaRecord(t.getCertificateUsage(), t.getSelector(), t.getMatchingType(),
                    t.getCertificateAssociationData());
        });
    }

    @Override
    public CompletionStage<DnsResult<String>> txt(String name) {
        return lookup(name, Type.TXT, rec -> String.join("", ((TXTRecord) rec).getStrings()));
    }

    @Override
    public CompletionStage<DnsResult<String>> ptr(String name) {
        return lookup(name, Type.PTR, rec -> Names.canonical(((PTRRecord) rec).getTarget()));
    }

    @Override
    public List<String> describeServers() {
        return servers;
    }

    /**
     * AAAA and A together: IPv6 first, security the weaker of the two (an address set is only as trustworthy as
     * its least trustworthy half, RFC 7672 §2.2.2). A failed half is an error only when the other half has no
     * addresses either. Its security taints the result, except that a lookup which merely got no answer
     * (INDETERMINATE: SERVFAIL, timeout) beside an answer proven INSECURE does not: the name's zone is provably
     * unsigned, so the missing half could never have been secure and the addresses that came back are as good as
     * DNS can give (RFC 5321 §5.1 asks to try the addresses found). In a signed zone it stays INDETERMINATE.
     */
    static DnsResult<InetAddress> combine(DnsResult<InetAddress> v6, DnsResult<InetAddress> v4) {
        DnsSecurity security = unanswered(v6, v4) ? v4.security() : unanswered(v4, v6) ? v6.security()
                : v6.security().and(v4.security());
        List<InetAddress> all = new ArrayList<>(v6.records());
        all.addAll(v4.records());
        List<String> chain = v6.cnameChain().size() >= v4.cnameChain().size() ? v6.cnameChain() : v4.cnameChain();
        // Both halves usually fail the same way (the same dead server): say it once.
        String reason = String.join("; ", Stream.of(v6.reason(), v4.reason()).filter(s -> !s.isEmpty()).distinct()
                .toList());
        DnsStatus status;
        if (!all.isEmpty()) {
            status = DnsStatus.NOERROR;
        } else if (v6.status() == DnsStatus.ERROR || v4.status() == DnsStatus.ERROR) {
            status = DnsStatus.ERROR;
        } else if (v6.status() == DnsStatus.NXDOMAIN && v4.status() == DnsStatus.NXDOMAIN) {
            status = DnsStatus.NXDOMAIN;
        } else {
            status = DnsStatus.NODATA;
        }
        return new DnsResult<>(v4.name(), status, security, chain, all, reason,
                Math.min(v6.ttlSeconds(), v4.ttlSeconds()));
    }

    /** {@code failed} got no answer at all (not a bogus one) while {@code other} was answered and is INSECURE. */
    private static boolean unanswered(DnsResult<InetAddress> failed, DnsResult<InetAddress> other) {
        return failed.status() == DnsStatus.ERROR && failed.security() == DnsSecurity.INDETERMINATE
                && other.status() != DnsStatus.ERROR && other.security() == DnsSecurity.INSECURE;
    }

    /**
     * One cached lookup of {@code type} at {@code name}, CNAMEs followed, its records mapped by {@code reader}
     * (which must match {@code type}) once, when the answer arrives. A cache hit costs one map probe: a name
     * already canonical is its own key, and nothing is built for the miss path.
     */
    @SuppressWarnings("unchecked")
    <T> CompletableFuture<DnsResult<T>> lookup(String name, int type, Function<Record, T> reader) {
        String canonical = Names.isCanonical(name) ? name : null;
        if (canonical == null) {
            try {
                canonical = Names.canonical(Names.toName(name));
            } catch (IllegalArgumentException e) {
                return CompletableFuture.completedFuture(
                        DnsResult.error(name, validating.classifier().ofFailure(null), e.getMessage()));
            }
        }
        Key key = new Key(canonical, type);
        CompletableFuture<DnsResult<?>> cached = cache.getIfPresent(key);
        if (cached == null) {
            cached = cache.get(key, (k, executor) -> fetch(k.name(), type).thenApply(r -> r.map(reader)));
        }
        return (CompletableFuture<DnsResult<T>>) (CompletableFuture<?>) cached;
    }

    /** Asks DNS for {@code type} at canonical {@code name}, within the overall budget. */
    private CompletableFuture<DnsResult<Record>> fetch(String name, int type) {
        Lookup start = Lookup.start(name);
        SecurityClassifier classifier = path(name).classifier();
        return resolve(start, type, 0)
                .completeOnTimeout(start.error(classifier.ofFailure(null),
                        "no answer within " + budget.toMillis() + " ms"), budget.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(t -> start.error(classifier.ofFailure(null), describe(t)))
                .whenComplete((r, t) -> metrics.answered(type, r));
    }

    /** The way {@code name} is asked: unvalidated at or below a {@code dns.insecure-domains} entry. */
    private Path path(String name) {
        return insecureDomains.stream().anyMatch(d -> DomainNames.isAtOrBelow(name, d)) ? unvalidated : validating;
    }

    private CompletableFuture<DnsResult<Record>> resolve(Lookup lookup, int type, int followUps) {
        Path path = path(lookup.current());
        SecurityClassifier classifier = path.classifier();
        Message query = Message.newQuery(Record.newRecord(Names.toName(lookup.current()), type, DClass.IN));
        if (path.askForAd()) {
            query.getHeader().setFlag(Flags.AD);
        }
        QueryFailures failures = new QueryFailures(ForkJoinPool.commonPool());
        CompletionStage<Message> sent;
        try {
            sent = path.transport().sendAsync(query, failures);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.handle((response, error) -> {
            if (error != null) {
                log.debug("DNS {} {} failed: {}", lookup.current(), Type.string(type), describe(error));
                return CompletableFuture.completedFuture(lookup.error(classifier.ofFailure(null), describe(error)));
            }
            Optional<String> unfinished = unfinishedValidation(response, failures);
            if (unfinished.isPresent()) {
                log.debug("DNS {} {}: {}", lookup.current(), Type.string(type), unfinished.get());
                return CompletableFuture.completedFuture(lookup.error(DnsSecurity.INDETERMINATE, unfinished.get()));
            }
            ResponseReader.Step step = path.reader().read(response, lookup, type);
            if (step instanceof ResponseReader.Step.Follow f) {
                return followUps < MAX_CHAIN ? resolve(f.lookup(), type, followUps + 1)
                        : CompletableFuture.completedFuture(f.lookup().error(DnsSecurity.INDETERMINATE,
                                "CNAME chain from " + lookup.name() + " needs too many queries"));
            }
            DnsResult<Record> result = ((ResponseReader.Step.Done) step).result();
            if (result.status() == DnsStatus.ERROR || result.security().isFailure()) {
                log.debug("DNS {} {}: {} {} {}", lookup.name(), Type.string(type), result.status(),
                        result.security(), result.reason());
            }
            return CompletableFuture.completedFuture(result);
        }).thenCompose(f -> f).toCompletableFuture();
    }

    /**
     * An answer without AD after a query on the way failed was not proven insecure: the validator gave up on it
     * (see {@link QueryFailures}). A validator's SERVFAIL keeps its own classification.
     */
    private static Optional<String> unfinishedValidation(Message response, QueryFailures failures) {
        int rcode = response.getRcode();
        if (response.getHeader().getFlag(Flags.AD) || rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            return Optional.empty();
        }
        return failures.first().map(f -> "DNSSEC validation could not finish: " + f);
    }

    private static String describe(Throwable t) {
        Throwable cause = Throwables.unwrap(t);
        if (cause instanceof ServerFailureGuard.ServerFailure || cause instanceof NoAnswer) {
            return cause.getMessage();
        }
        if (cause instanceof IOException || cause instanceof TimeoutException) {
            // Timeouts, unreadable or mismatched replies: the server gave nothing to validate.
            return "no usable answer from the DNS server: " + NoAnswer.what(cause);
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
