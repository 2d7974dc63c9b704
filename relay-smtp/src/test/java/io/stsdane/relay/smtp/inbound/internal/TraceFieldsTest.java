package io.stsdane.relay.smtp.inbound.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.testkit.time.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TraceFieldsTest {

    private static final HeaderAugmenter.Presence NONE = new HeaderAugmenter.Presence(false, false);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T17:30:05.100Z"));
    private final TraceFields trace = new TraceFields("relay.test", clock);

    @Test
    void dateFollowsTheClockFromOneSecondToTheNext() {
        assertThat(date()).isEqualTo("Mon, 7 Dec 2026 17:30:05 +0000");
        clock.advance(Duration.ofMillis(800));
        assertThat(date()).isEqualTo("Mon, 7 Dec 2026 17:30:05 +0000");
        clock.advance(Duration.ofMillis(100));
        assertThat(date()).isEqualTo("Mon, 7 Dec 2026 17:30:06 +0000");
        clock.set(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(date()).isEqualTo("Fri, 1 Jan 2027 00:00:00 +0000");
    }

    @Test
    void messageIdsOfOneQueueIdDifferInTheirRandomPart() {
        QueueId id = new QueueId("Q1");
        String first = trace.missing(NONE, true, false, id);
        assertThat(first).matches("Message-ID: <Q1\\.[0-9a-f]{16}@relay\\.test>\r\n");
        assertThat(trace.missing(NONE, true, false, id)).isNotEqualTo(first);
    }

    private String date() {
        String field = trace.missing(NONE, false, true, new QueueId("Q1"));
        assertThat(field).startsWith("Date: ").endsWith("\r\n");
        return field.substring("Date: ".length(), field.length() - 2);
    }
}
