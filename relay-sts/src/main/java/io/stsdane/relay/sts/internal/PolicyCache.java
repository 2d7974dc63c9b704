package io.stsdane.relay.sts.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.util.LogText;
import io.stsdane.relay.sts.CachedPolicy;
import io.stsdane.relay.sts.PolicyFreshness;
import io.stsdane.relay.sts.PolicyStore;
import io.stsdane.relay.sts.StsLookup;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MTA-STS policy cache (RFC 8461 §5.1): which policy applies to a domain now, fetching only when needed.
 *
 * <ul>
 *   <li>Each lookup asks DNS for the TXT record (the DNS layer caches it for its TTL). A policy is fetched when
 *       none is cached or the announced {@code id} differs from the cached one.</li>
 *   <li>A failed fetch keeps the unexpired cached policy. A TXT record that disappears keeps it too, until it
 *       expires: removing the record is not how a domain withdraws a policy (mode {@code none} is).</li>
 *   <li>Policies are refreshed in the background before they expire ({@link #refreshDue()} and on use), so an
 *       attacker who blocks the policy host at expiry time finds a fresh policy in place.</li>
 *   <li>Failed fetches are rate-limited per domain ({@link FetchBackoff}).</li>
 *   <li>At most one fetch per domain runs at a time; concurrent callers share it.</li>
 * </ul>
 *
 * <p>Every policy lives in a {@link PolicyStore} (a directory, or a database shared by several nodes), with a
 * bounded Caffeine cache in front (which also remembers domains without a policy). The store is asked again
 * before any fetch and before an expired policy is dropped, so a policy another node stored meanwhile is used
 * instead of fetched or lost. Store changes for one domain happen inside a per-key compute of the memory cache,
 * so they are serialised per domain on this node. Thread-safe; futures never complete exceptionally. Time comes from the clock.
 */
public final class PolicyCache {

    private static final Logger log = LoggerFactory.getLogger(PolicyCache.class);

    /** The result of one (possibly shared) fetch: a stored policy, or a failure. */
    record FetchAttempt(CachedPolicy policy, FetchResult.Failed failure) {
        static FetchAttempt of(CachedPolicy p) {
            return new FetchAttempt(p, null);
        }

        static FetchAttempt of(FetchResult.Failed f) {
            return new FetchAttempt(null, f);
        }
    }

    private final DnsResolver resolver;
    private final PolicyFetcher fetcher;
    private final PolicyStore store;
    private final FetchBackoff backoff;
    private final Clock clock;
    private final Duration maxRefreshMargin;
    private final Duration minRecheckInterval;
    private final StsMetrics metrics;
    private final Cache<String, Optional<CachedPolicy>> memory;
    private final ConcurrentHashMap<String, CompletableFuture<FetchAttempt>> fetches = new ConcurrentHashMap<>();

    /**
     * @param maxRefreshMargin how long before expiry a policy is refreshed at the latest; policies with a short
     *     {@code max_age} are refreshed after half of it
     * @param minRecheckInterval a {@link #recheck} within this time of the last successful fetch does nothing
     */
    public PolicyCache(DnsResolver resolver, PolicyFetcher fetcher, PolicyStore store, FetchBackoff backoff,
            Clock clock, Duration maxRefreshMargin, Duration minRecheckInterval, long maxDomainsInMemory,
            StsMetrics metrics) {
        this.resolver = resolver;
        this.fetcher = fetcher;
        this.store = store;
        this.backoff = backoff;
        this.clock = clock;
        this.maxRefreshMargin = maxRefreshMargin;
        this.minRecheckInterval = minRecheckInterval;
        this.metrics = metrics;
        this.memory = Caffeine.newBuilder().maximumSize(maxDomainsInMemory).build();
    }

    /** The policy in effect for {@code domain} (canonical), fetching it first when the cache says so. */
    public CompletableFuture<StsLookup> lookup(String domain) {
        return discover(domain)
                .thenCompose(txt -> resolve(domain, txt))
                .exceptionally(e -> {
                    log.error("MTA-STS lookup of {} failed unexpectedly", domain, e);
                    return new StsLookup(domain, List.of(), null, null, PolicyFreshness.FETCH_FAILED,
                            TlsFailure.STS_POLICY_FETCH_ERROR, "internal error: " + e);
                });
    }

    /**
     * Looks for a newer policy now, even when the {@code id} is unchanged (RFC 8461 §5.1: before a delivery is
     * deferred because of the policy). Rate-limited like every fetch, and skipped when the cached policy was
     * fetched less than {@code minRecheckInterval} ago: every message deferred for a domain asks for this.
     */
    public CompletableFuture<Void> recheck(String domain) {
        Instant now = clock.instant();
        if (current(domain, now).filter(p -> now.isBefore(p.fetchedAt().plus(minRecheckInterval))).isPresent()) {
            return CompletableFuture.completedFuture(null);
        }
        return discover(domain).thenCompose(txt -> txt instanceof TxtDiscovery.Announced a
                ? fetch(domain, a.id(), true).<Void>thenApply(x -> null)
                : CompletableFuture.<Void>completedFuture(null))
                .exceptionally(e -> {
                    log.error("MTA-STS re-check of {} failed unexpectedly", domain, e);
                    return null;
                });
    }

    /** Refreshes every stored policy that is close to expiry and drops the expired ones. */
    public CompletableFuture<Void> refreshDue() {
        Instant now = clock.instant();
        List<CompletableFuture<Void>> refreshes = new ArrayList<>();
        for (String domain : store.domains()) {
            current(domain, now).filter(p -> refreshIsDue(p, now)).ifPresent(p -> refreshes.add(recheck(domain)));
        }
        return CompletableFuture.allOf(refreshes.toArray(new CompletableFuture<?>[0]));
    }

    private CompletableFuture<TxtDiscovery> discover(String domain) {
        String name = TxtRecords.txtName(domain);
        return resolver.txt(name).toCompletableFuture()
                .thenApply(TxtRecords::discover)
                .exceptionally(e -> new TxtDiscovery.NotAnnounced("TXT lookup of " + name + " failed: " + e, List.of()));
    }

    private CompletableFuture<StsLookup> resolve(String domain, TxtDiscovery txt) {
        Instant now = clock.instant();
        Optional<CachedPolicy> cached = current(domain, now);
        if (txt instanceof TxtDiscovery.NotAnnounced none) {
            return CompletableFuture.completedFuture(cached
                    .map(p -> cachedLookup(txt, null, p, null, "kept cached policy (" + none.reason() + ")"))
                    .orElseGet(() -> new StsLookup(domain, txt.records(), null, null, PolicyFreshness.NONE, null,
                            none.reason())));
        }
        TxtDiscovery.Announced announced = (TxtDiscovery.Announced) txt;
        if (cached.isPresent() && cached.get().id().equals(announced.id())) {
            if (refreshIsDue(cached.get(), now)) {
                fetch(domain, announced.id(), true);
            }
            return CompletableFuture.completedFuture(cachedLookup(txt, announced.id(), cached.get(), null,
                    "cached policy, id unchanged"));
        }
        return fetch(domain, announced.id(), false).thenApply(attempt -> {
            if (attempt.policy() != null) {
                return new StsLookup(domain, txt.records(), announced.id(), attempt.policy(), PolicyFreshness.FRESH,
                        null, "fetched policy id " + announced.id());
            }
            FetchResult.Failed f = attempt.failure();
            return cached.map(p -> cachedLookup(txt, announced.id(), p, f.failure(),
                            "kept cached policy id " + p.id() + " until it expires; new policy id "
                                    + announced.id() + " unavailable: " + f.reason()))
                    .orElseGet(() -> new StsLookup(domain, txt.records(), announced.id(), null,
                            PolicyFreshness.FETCH_FAILED, f.failure(), "policy id " + announced.id()
                            + " announced but unavailable: " + f.reason()));
        });
    }

    private static StsLookup cachedLookup(TxtDiscovery txt, String announcedId, CachedPolicy p, TlsFailure failure,
            String why) {
        return new StsLookup(p.domain(), txt.records(), announcedId, p, PolicyFreshness.CACHED, failure,
                why + "; policy id " + p.id() + " fetched " + p.fetchedAt() + ", expires " + p.expiresAt());
    }

    /**
     * Fetches the policy of {@code domain}, sharing a fetch already running. Unless {@code force}, a policy with
     * {@code id} stored meanwhile by another fetch is returned without fetching again.
     */
    private CompletableFuture<FetchAttempt> fetch(String domain, String id, boolean force) {
        Instant now = clock.instant();
        Optional<FetchBackoff.Failure> blocked = backoff.blocking(domain, now);
        if (blocked.isPresent()) {
            FetchBackoff.Failure b = blocked.get();
            metrics.fetchPostponed();
            return CompletableFuture.completedFuture(FetchAttempt.of(new FetchResult.Failed(b.failure(),
                    "not fetched again before " + b.retryAfter() + " after " + b.consecutive()
                            + " failed attempt(s); last at " + b.at() + ": " + b.reason())));
        }
        CompletableFuture<FetchAttempt> mine = new CompletableFuture<>();
        CompletableFuture<FetchAttempt> running = fetches.putIfAbsent(domain, mine);
        if (running != null) {
            return running;
        }
        Optional<CachedPolicy> stored = force ? Optional.empty()
                : current(domain, now).filter(p -> p.id().equals(id)).or(() -> storedElsewhere(domain, id, now));
        if (stored.isPresent()) {
            fetches.remove(domain, mine);
            mine.complete(FetchAttempt.of(stored.get()));
            return mine;
        }
        fetcher.fetch(domain)
                .thenApply(result -> settle(domain, id, result))
                .whenComplete((attempt, e) -> {
                    // Settled (stored) before it is unregistered: a later caller sees the new policy.
                    fetches.remove(domain, mine);
                    mine.complete(e == null ? attempt : FetchAttempt.of(
                            new FetchResult.Failed(TlsFailure.STS_POLICY_FETCH_ERROR, "internal error: " + e)));
                });
        return mine;
    }

    private FetchAttempt settle(String domain, String id, FetchResult result) {
        Instant now = clock.instant();
        FetchResult.Failed failure;
        if (result instanceof FetchResult.Fetched fetched) {
            PolicyParser.Result parsed = PolicyParser.parse(fetched.body());
            if (parsed instanceof PolicyParser.Result.Valid valid) {
                CachedPolicy policy = new CachedPolicy(domain, id, fetched.body(), valid.policy(), now);
                memory.asMap().compute(domain, (d, old) -> {
                    store.save(policy);
                    return Optional.of(policy);
                });
                backoff.recordSuccess(domain);
                metrics.fetchSucceeded();
                log.info("MTA-STS policy of {} fetched: id {}, mode {}, max_age {}, mx {}", domain, id,
                        valid.policy().mode().label(), valid.policy().maxAgeSeconds(), valid.policy().mx());
                if (!valid.ignored().isEmpty()) {
                    log.warn("MTA-STS policy of {} (id {}) repeats fields; only the first of each counts: {}",
                            domain, id, String.join("; ", valid.ignored()));
                }
                return FetchAttempt.of(policy);
            }
            failure = new FetchResult.Failed(TlsFailure.STS_POLICY_INVALID, fetcher.url(domain)
                    + " served an invalid policy: " + ((PolicyParser.Result.Invalid) parsed).reason());
        } else {
            failure = (FetchResult.Failed) result;
        }
        FetchBackoff.Failure b = backoff.recordFailure(domain, failure.failure(), failure.reason(), now);
        metrics.fetchFailed(failure.failure());
        log.warn("MTA-STS policy of {} not fetched ({}): {}; next attempt not before {}", domain,
                failure.failure().resultType(), LogText.escape(failure.reason()), b.retryAfter());
        return FetchAttempt.of(failure);
    }

    /** The unexpired cached policy of {@code domain}; an expired one is dropped from memory and the store. */
    private Optional<CachedPolicy> current(String domain, Instant now) {
        Optional<CachedPolicy> cached = memory.get(domain, store::load);
        if (cached.isEmpty() || !cached.get().isExpired(now)) {
            return cached;
        }
        CachedPolicy expired = cached.get();
        Optional<CachedPolicy> replaced = memory.asMap().computeIfPresent(domain, (d, present) -> {
            if (present.isEmpty() || present.get() != expired) {
                return present;
            }
            Optional<CachedPolicy> fresher = store.load(domain).filter(p -> !p.isExpired(now));
            if (fresher.isEmpty()) {
                store.delete(expired);
                log.info("MTA-STS policy of {} (id {}) expired at {} and was dropped", domain, expired.id(),
                        expired.expiresAt());
            }
            return fresher;
        });
        return replaced == null ? Optional.empty() : replaced.filter(p -> !p.isExpired(now));
    }

    /**
     * The unexpired policy {@code id} of {@code domain} that the store holds although memory does not: saved by
     * another node sharing the store, after this node cached an older policy or none.
     */
    private Optional<CachedPolicy> storedElsewhere(String domain, String id, Instant now) {
        Optional<CachedPolicy> stored = store.load(domain).filter(p -> p.id().equals(id) && !p.isExpired(now));
        stored.ifPresent(p -> memory.asMap().merge(domain, Optional.of(p), (old, mine) ->
                old.isPresent() && old.get().fetchedAt().isAfter(p.fetchedAt()) ? old : mine));
        return stored;
    }

    private boolean refreshIsDue(CachedPolicy p, Instant now) {
        Duration half = Duration.ofSeconds(p.policy().maxAgeSeconds() / 2);
        Duration margin = half.compareTo(maxRefreshMargin) < 0 ? half : maxRefreshMargin;
        return !now.isBefore(p.expiresAt().minus(margin));
    }
}
