package io.stsdane.relay.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final List<Duration> SCHEDULE =
            List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15));

    @Test
    void delaysFollowTheScheduleAndTheLastOneRepeats() {
        RetryPolicy p = new RetryPolicy(SCHEDULE, 0, () -> 0.5);
        assertThat(List.of(p.delay(1), p.delay(2), p.delay(3), p.delay(4), p.delay(50)))
                .containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
                        Duration.ofMinutes(15), Duration.ofMinutes(15));
    }

    @Test
    void jitterReachesItsBoundsAndNeverPassesThem() {
        assertThat(new RetryPolicy(SCHEDULE, 0.1, () -> 0.0).delay(2)).isEqualTo(Duration.ofSeconds(270));
        assertThat(new RetryPolicy(SCHEDULE, 0.1, () -> 0.999_999_999).delay(2)).isEqualTo(Duration.ofSeconds(330));

        Random random = new Random(42);
        RetryPolicy p = new RetryPolicy(SCHEDULE, 0.1, random::nextDouble);
        List<Duration> samples = java.util.stream.IntStream.range(0, 10_000).mapToObj(i -> p.delay(2)).toList();
        assertThat(samples).allSatisfy(d -> assertThat(d).isBetween(Duration.ofSeconds(270), Duration.ofSeconds(330)));
        // Jitter spreads: deferrals of the same moment do not all come back together.
        assertThat(samples.stream().distinct().count()).isGreaterThan(1000);
    }

    @Test
    void anEmptyOrNonPositiveScheduleIsRefused() {
        assertThatThrownBy(() -> new RetryPolicy(List.of(), 0, () -> 0))
                .hasMessage("schedule needs at least one duration");
        assertThatThrownBy(() -> new RetryPolicy(List.of(Duration.ZERO), 0, () -> 0))
                .hasMessage("schedule must be positive, was PT0S");
    }
}
