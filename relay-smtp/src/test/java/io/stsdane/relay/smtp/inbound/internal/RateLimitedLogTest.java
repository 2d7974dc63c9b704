package io.stsdane.relay.smtp.inbound.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.stsdane.relay.testkit.log.LogCapture;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RateLimitedLogTest {

    @Test
    void aFloodOfClientFaultsWritesNoMoreThanTheLimitAMinute() {
        String name = RateLimitedLogTest.class.getName() + ".flood";
        try (LogCapture log = LogCapture.of(name, Level.INFO)) {
            RateLimitedLog limited = new RateLimitedLog(LoggerFactory.getLogger(name), 20);
            for (int i = 0; i < 1000; i++) {
                limited.info("client fault: refused message {}", i);
            }
            assertThat(log.messages(Level.INFO)).hasSize(20).last().isEqualTo("client fault: refused message 19");
        }
    }
}
