package io.stsdane.relay.dns.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The answer cache's own promises, with fetches the test completes itself: completing one here runs the callers'
 * continuations first, on this thread, as the thread that receives a DNS answer does.
 */
class AnswerCacheTest {

    private static final RecordQuery<String> TXT = new RecordQuery<>(Type.TXT, Record::rdataToString);
    private static final String NAME = "example.com";

    private final AtomicLong nanos = new AtomicLong();
    private final List<CompletableFuture<DnsResult<String>>> fetches = new CopyOnWriteArrayList<>();
    private final AnswerCache cache = new AnswerCache(100, nanos::get, (name, query) -> {
        CompletableFuture<DnsResult<String>> fetch = new CompletableFuture<>();
        fetches.add(fetch);
        return fetch;
    });

    @Test
    void lookupsWhileAnAnswerIsOnItsWayShareOneFetchAndTheAnswerIsHandedOutAsItIs() {
        CompletableFuture<DnsResult<String>> first = cache.get(NAME, TXT);
        CompletableFuture<DnsResult<String>> second = cache.get(NAME, TXT);
        assertThat(fetches).hasSize(1);

        DnsResult<String> answer = answer(60);
        fetches.get(0).complete(answer);

        assertThat(first.join()).isSameAs(answer);
        assertThat(second.join()).isSameAs(answer);
        assertThat(cache.get(NAME, TXT).join()).isSameAs(answer);
        assertThat(fetches).hasSize(1);
    }

    @Test
    void aFailureIsNotHandedOutAgainEvenToALookupStartedByTheContinuationOfTheCallerThatGotIt() {
        CompletableFuture<DnsResult<String>> again = cache.get(NAME, TXT).thenCompose(failed -> cache.get(NAME, TXT));

        fetches.get(0).complete(DnsResult.error(NAME, DnsSecurity.INDETERMINATE, "no answer"));

        assertThat(fetches).as("asked again").hasSize(2);
        assertThat(again).isNotDone();
        DnsResult<String> answer = answer(60);
        fetches.get(1).complete(answer);
        assertThat(again.join()).isSameAs(answer);
    }

    @Test
    void anAnswerIsKeptForItsTtlCountedFromItsArrival() {
        cache.get(NAME, TXT).thenRun(() -> nanos.addAndGet(Duration.ofSeconds(30).toNanos()));

        fetches.get(0).complete(answer(60));
        cache.get(NAME, TXT);
        assertThat(fetches).hasSize(1);
        nanos.addAndGet(Duration.ofSeconds(30).toNanos());
        cache.get(NAME, TXT);

        assertThat(fetches).as("60 s after the answer arrived").hasSize(2);
    }

    private static DnsResult<String> answer(long ttlSeconds) {
        return new DnsResult<>(NAME, DnsStatus.NOERROR, DnsSecurity.SECURE, List.of(), List.of("v=STSv1; id=1"), "",
                ttlSeconds);
    }
}
