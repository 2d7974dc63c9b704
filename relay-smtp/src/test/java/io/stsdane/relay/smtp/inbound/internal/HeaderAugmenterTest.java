package io.stsdane.relay.smtp.inbound.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HeaderAugmenterTest {

    @Test
    void fieldNamesAreFoundIgnoringCaseAndWhiteSpaceBeforeTheColon() throws IOException {
        assertThat(presence("MESSAGE-ID: <a@b>\r\ndate\t : Sat, 1 Jan 2022 00:00:00 +0000\r\n\r\nbody\r\n"))
                .isEqualTo(new HeaderAugmenter.Presence(true, true));
        assertThat(presence("Subject: x\r\nmessage-Id:<a@b>\r\n\r\n"))
                .isEqualTo(new HeaderAugmenter.Presence(true, false));
    }

    @Test
    void lookalikesAndTheBodyDoNotCount() throws IOException {
        assertThat(presence("Dates: x\r\nX-Date: x\r\nSubject: Date: x\r\nMessage-ID-Old: x\r\n: date\r\n\r\n"
                + "Date: in the body\r\nMessage-ID: <in@body>\r\n"))
                .isEqualTo(new HeaderAugmenter.Presence(false, false));
    }

    @Test
    void theStreamIsThePrefixThenTheMessageUntouched() throws IOException {
        String message = "Subject: x\r\n\r\nbody\r\n";
        HeaderAugmenter a = new HeaderAugmenter(new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)),
                "Received: r\r\n", p -> "Date: d\r\n");
        assertThat(new String(a.readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("Received: r\r\nDate: d\r\n" + message);
    }

    private static HeaderAugmenter.Presence presence(String message) throws IOException {
        AtomicReference<HeaderAugmenter.Presence> seen = new AtomicReference<>();
        HeaderAugmenter a = new HeaderAugmenter(new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)),
                "", p -> {
                    seen.set(p);
                    return "";
                });
        assertThat(new String(a.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(message);
        return seen.get();
    }
}
