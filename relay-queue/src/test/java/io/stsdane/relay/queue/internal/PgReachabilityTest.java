package io.stsdane.relay.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PgReachabilityTest {

    @Test
    void nothingAnsweredYetMeansAsk() {
        assertThat(new PgReachability().lastAnswered()).isFalse();
    }

    @Test
    void anAnswerToARoundTripSentBeforeTheLatestFailureDoesNotCancelIt() throws InterruptedException {
        PgReachability r = new PgReachability();
        long sentBeforeTheFailure = System.nanoTime();
        Thread.sleep(1);
        r.failed();
        r.answered(sentBeforeTheFailure);
        assertThat(r.lastAnswered()).as("the late answer of an older round trip").isFalse();

        Thread.sleep(1);
        r.answered(System.nanoTime());
        assertThat(r.lastAnswered()).as("a round trip sent after the failure was answered").isTrue();
        r.answered(sentBeforeTheFailure);
        assertThat(r.lastAnswered()).as("a late answer to an older round trip after a newer one").isTrue();

        Thread.sleep(1);
        r.failed();
        assertThat(r.lastAnswered()).isFalse();
    }
}
