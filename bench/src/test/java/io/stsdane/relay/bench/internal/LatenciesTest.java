package io.stsdane.relay.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void percentilesUseTheNearestRankOfTheSortedSamples() {
        long[] samples = new long[100];
        for (int i = 0; i < 100; i++) {
            samples[i] = (100 - i) * 1_000_000L; // 100 ms down to 1 ms, unsorted on purpose
        }
        Latencies l = Latencies.of(samples, 100, 1);
        assertThat(l.p50Millis()).isEqualTo(50.0);
        assertThat(l.p99Millis()).isEqualTo(99.0);
        assertThat(l.maxMillis()).isEqualTo(100.0);
    }

    @Test
    void onlyTheGivenRangeCounts() {
        long[] samples = {3_000, 1_000, 2_000, 999_999_999};
        Latencies l = Latencies.of(samples, 3, 1_000);
        assertThat(l.count()).isEqualTo(3);
        assertThat(l.p50Millis()).isEqualTo(2.0);
        assertThat(l.maxMillis()).isEqualTo(3.0);
    }

    @Test
    void noSamplesGiveNoFigures() {
        assertThat(Latencies.of(new long[0], 0, 1)).isEqualTo(Latencies.NONE);
    }
}
