package io.stsdane.relay.smtp.outbound.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.delivery.DeliveryAttempt;
import io.stsdane.relay.core.queue.QueueId;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code time} field is exactly {@code Instant.toString()}, whatever the fraction and whatever came before. */
class JsonLineTest {

    private static String time(Instant t) {
        String line = JsonLine.of(new DeliveryAttempt(t, new QueueId("Q1"), "example.test", null, null, null, null,
                false, null, null, null, null, "failed", "", 0), List.of());
        return line.substring("{\"time\":\"".length(), line.indexOf('"', "{\"time\":\"".length()));
    }

    @Test
    void theTimeIsWrittenAsInstantWritesItForEveryKindOfFraction() {
        long s = 1_796_000_000L;
        List<Instant> instants = List.of(Instant.ofEpochSecond(s), Instant.ofEpochSecond(s, 1),
                Instant.ofEpochSecond(s, 1_000), Instant.ofEpochSecond(s, 1_000_000), Instant.ofEpochSecond(s, 120_000_000),
                Instant.ofEpochSecond(s, 123_456_000), Instant.ofEpochSecond(s, 123_456_789),
                Instant.ofEpochSecond(s, 999_999_999), Instant.ofEpochSecond(s + 1, 5_000_000),
                Instant.ofEpochSecond(s - 86_400, 7), Instant.EPOCH, Instant.ofEpochSecond(-1, 500_000_000),
                Instant.parse("9999-12-31T23:59:59.999Z"), Instant.parse("+10000-01-01T00:00:00.000001Z"), Instant.now());

        for (Instant t : instants) {
            assertThat(time(t)).isEqualTo(t.toString());
        }
    }
}
