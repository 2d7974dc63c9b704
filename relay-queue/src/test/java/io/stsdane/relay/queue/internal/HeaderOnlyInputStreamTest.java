package io.stsdane.relay.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HeaderOnlyInputStreamTest {

    private static String headers(String message) throws IOException {
        try (HeaderOnlyInputStream in = new HeaderOnlyInputStream(
                new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void stopsAtTheEmptyLineAndKeepsTheLastHeaderCrlf() throws IOException {
        assertThat(headers("A: 1\r\nB: 2\r\n continued\r\n\r\nbody\r\n\r\nmore"))
                .isEqualTo("A: 1\r\nB: 2\r\n continued\r\n");
    }

    @Test
    void handlesBareLfMessagesNoBodyAndCrInsideAHeader() throws IOException {
        assertThat(headers("A: 1\nB: 2\n\nbody")).isEqualTo("A: 1\nB: 2\n");
        assertThat(headers("A: 1\r\n")).isEqualTo("A: 1\r\n");
        assertThat(headers("A: x\ry\r\n\r\nbody")).isEqualTo("A: x\ry\r\n");
        assertThat(headers("\r\nbody")).isEmpty();
    }
}
