package io.stsdane.relay.tlsrpt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The retry schedule both outboxes follow, without a database (the shared one is proven in TlsRptPostgresTest). */
class RetryBackoffTest {

    private static final Instant FAILED = Instant.parse("2026-11-28T00:10:00Z");
    private static final Instant FAR = FAILED.plus(Duration.ofDays(30));

    @Test
    void theWaitDoublesFromHalfAnHourAndStaysAtEightHours() {
        assertThat(IntStream.rangeClosed(1, 8).mapToObj(a -> Duration.between(FAILED,
                RetryBackoff.nextAttempt(FAILED, a, FAR)))).containsExactly(Duration.ofMinutes(30),
                Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4), Duration.ofHours(8),
                Duration.ofHours(8), Duration.ofHours(8), Duration.ofHours(8));
        assertThat(RetryBackoff.nextAttempt(FAILED, Integer.MAX_VALUE, FAR))
                .as("no overflow after very many attempts").isEqualTo(FAILED.plus(Duration.ofHours(8)));
    }

    @Test
    void theNextAttemptIsNeverAfterTheReportIsGivenUp() {
        Instant giveUpAt = FAILED.plus(Duration.ofMinutes(45));
        assertThat(RetryBackoff.nextAttempt(FAILED, 2, giveUpAt)).isEqualTo(giveUpAt);
        assertThat(RetryBackoff.nextAttempt(FAILED, 1, giveUpAt)).isEqualTo(FAILED.plus(Duration.ofMinutes(30)));
    }
}
