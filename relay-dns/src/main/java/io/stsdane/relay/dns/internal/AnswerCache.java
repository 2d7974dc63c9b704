package io.stsdane.relay.dns.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.stsdane.relay.core.dns.DnsResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;

/**
 * Answers already read into the relay's record types, kept for their TTL, by canonical name and
 * {@link RecordQuery}; lookups of the same key while its answer is on the way share one fetch.
 *
 * <p>An answer is settled before anyone sees it: stored with its TTL (an answer with TTL 0, as every failure,
 * not at all) and no longer shared, and only then handed out. So a lookup that starts after a caller got a
 * failure asks DNS again, even one started by that caller's own continuation on the thread that completed the
 * fetch, and an answer's TTL counts from its arrival, not from whenever a cache's own completion callback runs.
 *
 * <p>Thread-safe.
 */
final class AnswerCache {

    /** {@code name} is canonical. */
    private record Key(String name, RecordQuery<?> query) {
    }

    /** Settled answers, each a completed stage handed out as it is. */
    private final Cache<Key, CompletableFuture<DnsResult<?>>> answers;
    /** The stage of each fetch not yet settled. */
    private final ConcurrentMap<Key, CompletableFuture<DnsResult<?>>> inFlight = new ConcurrentHashMap<>();
    private final BiFunction<String, RecordQuery<?>, CompletableFuture<? extends DnsResult<?>>> fetch;

    /**
     * @param fetch asks DNS for a canonical name and reads the answer with the query's reader; its stage
     *     completes exceptionally only on a bug
     */
    AnswerCache(long maxEntries, Ticker ticker,
            BiFunction<String, RecordQuery<?>, CompletableFuture<? extends DnsResult<?>>> fetch) {
        this.answers = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .ticker(ticker)
                .expireAfter(Expiry.creating((Key k, CompletableFuture<DnsResult<?>> settled) ->
                        Duration.ofSeconds(settled.join().ttlSeconds())))
                .build();
        this.fetch = fetch;
    }

    /**
     * The answer for canonical {@code name}: cached, shared with a fetch on the way, or fetched. A cache hit
     * costs one map probe and hands out the cached stage itself.
     */
    @SuppressWarnings("unchecked") // under (name, query) is only what query's own reader made: a DnsResult<T>
    <T> CompletableFuture<DnsResult<T>> get(String name, RecordQuery<T> query) {
        Key key = new Key(name, query);
        CompletableFuture<DnsResult<?>> answer = answers.getIfPresent(key);
        if (answer == null) {
            answer = sharedOrFetched(key);
        }
        return (CompletableFuture<DnsResult<T>>) (CompletableFuture<?>) answer;
    }

    private CompletableFuture<DnsResult<?>> sharedOrFetched(Key key) {
        CompletableFuture<DnsResult<?>> mine = new CompletableFuture<>();
        CompletableFuture<DnsResult<?>> shared = inFlight.putIfAbsent(key, mine);
        if (shared != null) {
            return shared;
        }
        CompletableFuture<? extends DnsResult<?>> fetched;
        try {
            fetched = fetch.apply(key.name(), key.query());
        } catch (RuntimeException e) {
            fetched = CompletableFuture.failedFuture(e);
        }
        fetched.whenComplete((result, failure) -> settle(key, mine, result, failure));
        return mine;
    }

    private void settle(Key key, CompletableFuture<DnsResult<?>> mine, DnsResult<?> result, Throwable failure) {
        if (failure == null && result.ttlSeconds() > 0) {
            answers.put(key, CompletableFuture.completedFuture(result));
        }
        inFlight.remove(key, mine);
        if (failure == null) {
            mine.complete(result);
        } else {
            mine.completeExceptionally(failure);
        }
    }
}
