package io.stsdane.relay.smtp.outbound.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
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
}
