package io.stsdane.relay.smtp.inbound.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stsdane.relay.smtp.inbound.BareLineEndings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageDataFilterTest {

    private static String filter(String in, BareLineEndings policy) throws IOException {
        MessageDataFilter f = new MessageDataFilter(new ByteArrayInputStream(in.getBytes(StandardCharsets.ISO_8859_1)),
                policy, 1_000_000);
        return new String(f.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "normalize {0}")
    @CsvSource(delimiter = '|', value = {
        "a\\nb\\r\\n|a\\r\\nb\\r\\n", "a\\rb\\r\\n|a\\r\\nb\\r\\n", "a\\r\\rb|a\\r\\n\\r\\nb", "a\\n\\nb|a\\r\\n\\r\\nb",
        "a\\r|a\\r\\n", "a\\r\\n|a\\r\\n", "\\n|\\r\\n"})
    void normalizesEveryBareLineEnding(String in, String expected) throws IOException {
        assertThat(filter(unescape(in), BareLineEndings.NORMALIZE)).isEqualTo(unescape(expected));
    }

    @ParameterizedTest(name = "reject {0}")
    @CsvSource({"a\\nb", "a\\rb", "a\\r", "\\n"})
    void rejectsEveryBareLineEnding(String in) {
        assertThatThrownBy(() -> filter(unescape(in), BareLineEndings.REJECT)).isInstanceOf(IOException.class);
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n");
    }
}
