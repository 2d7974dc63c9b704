package io.stsdane.relay.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BenchMessageTest {

    @ParameterizedTest
    @ValueSource(ints = {200, 4096, 4096 + 77, 4096 + 78, 65_536})
    void messageHasTheRequestedSizeAndNeedsNoDotStuffing(int size) {
        BenchMessage m = new BenchMessage("a@bench.invalid", "b@bench.test", size);
        String wire = new String(m.header("r-0000000000"), StandardCharsets.US_ASCII)
                + new String(m.body(), StandardCharsets.US_ASCII);

        assertThat(wire).hasSize(size).startsWith("X-Bench-Id: r-0000000000\r\n").endsWith("\r\n");
        for (String line : wire.split("\r\n", -1)) {
            assertThat(line).doesNotStartWith(".").doesNotContain("\r", "\n").hasSizeLessThanOrEqualTo(998);
        }
    }
}
