package io.stsdane.relay.smtp.outbound.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** Global and per-destination bounds on deliveries in progress. */
class ConcurrencyLimitsTest {

    @Test
    void aFullDestinationWaitsWhileOthersProceed() {
        ConcurrencyLimits limits = new ConcurrencyLimits(3, 1);
        ConcurrencyLimits.Permit a1 = limits.acquire("a").join();
        CompletableFuture<ConcurrencyLimits.Permit> a2 = limits.acquire("a");
        CompletableFuture<ConcurrencyLimits.Permit> b1 = limits.acquire("b");

        assertThat(a2).isNotDone();
        assertThat(b1).isDone();

        a1.release();
        assertThat(a2).isDone();
    }

    @Test
    void theGlobalLimitHoldsAcrossDestinationsAndReleaseIsIdempotent() {
        ConcurrencyLimits limits = new ConcurrencyLimits(2, 5);
        ConcurrencyLimits.Permit a = limits.acquire("a").join();
        limits.acquire("b").join();
        CompletableFuture<ConcurrencyLimits.Permit> c = limits.acquire("c");
        CompletableFuture<ConcurrencyLimits.Permit> d = limits.acquire("d");
        assertThat(c).isNotDone();

        a.release();
        a.release();

        assertThat(c).isDone();
        assertThat(d).isNotDone();
    }

    @Test
    void waitersAreServedInArrivalOrder() {
        ConcurrencyLimits limits = new ConcurrencyLimits(10, 1);
        ConcurrencyLimits.Permit first = limits.acquire("a").join();
        CompletableFuture<ConcurrencyLimits.Permit> second = limits.acquire("a");
        CompletableFuture<ConcurrencyLimits.Permit> third = limits.acquire("a");

        first.release();
        assertThat(second).isDone();
        assertThat(third).isNotDone();

        second.join().release();
        assertThat(third).isDone();
    }

    /** Many threads taking and releasing permits at once: no bound is ever passed and no waiter is forgotten. */
    @Test
    void underContentionNoLimitIsPassedAndEveryDeliveryGetsItsTurn() throws Exception {
        int total = 4;
        int perDestination = 2;
        ConcurrencyLimits limits = new ConcurrencyLimits(total, perDestination);
        AtomicInteger inUse = new AtomicInteger();
        AtomicIntegerArray perDest = new AtomicIntegerArray(3);
        AtomicInteger violations = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 8000; i++) {
            int dest = i % 3;
            CompletableFuture<Void> done = new CompletableFuture<>();
            all.add(done);
            threads.execute(() -> limits.acquire("d" + dest).thenAcceptAsync(p -> {
                if (inUse.incrementAndGet() > total || perDest.incrementAndGet(dest) > perDestination) {
                    violations.incrementAndGet();
                }
                perDest.decrementAndGet(dest);
                inUse.decrementAndGet();
                p.release();
                done.complete(null);
            }, threads));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        threads.shutdown();

        assertThat(violations).hasValue(0);
        assertThat(limits.acquire("d0")).isDone();
    }
}
