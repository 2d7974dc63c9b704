package io.stsdane.relay.queue.internal;

import static io.stsdane.relay.queue.TestMessages.bytes;
import static io.stsdane.relay.queue.TestMessages.rcpt;
import static io.stsdane.relay.queue.TestMessages.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Ret;
import io.stsdane.relay.core.testing.InMemoryContent;
import io.stsdane.relay.queue.Dsn;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DsnComposerTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    @Test
    void requireTlsMessageGetsHeadersOnlyEvenWithRetFullAndItsDsnRequiresTls() throws Exception {
        Envelope env = new Envelope("alice@example.org", List.of(rcpt("bob@example.net")), Ret.FULL, null,
                true, false, false, T0, "");
        RecipientState failed = RecipientState.initial(T0).withStatus(RecipientState.Status.BOUNCED, "5.7.10",
                "REQUIRETLS: no verified TLS path to example.net", RecipientState.Report.FAILED);
        StoredMessage m = new StoredMessage(new QueueId("M1"), env, 10, new MessageState(false, List.of(failed), T0));
        byte[] original = bytes(text("secret"));
        MessageContent content = InMemoryContent.of(original);

        DsnComposer.Dsn dsn = new DsnComposer("relay.example.com", Duration.ofDays(5))
                .compose(m, content, new QueueId("D1"), T0);

        assertThat(dsn.envelope().sender()).isEmpty();
        assertThat(dsn.envelope().requireTls()).isTrue();
        assertThat(dsn.envelope().recipients()).singleElement()
                .satisfies(r -> assertThat(r.address()).isEqualTo("alice@example.org"));
        Dsn parsed = Dsn.parse(new String(dsn.content().readAllBytes(), StandardCharsets.UTF_8));
        assertThat(parsed.parts().get(2).headers().get("content-type")).isEqualTo("text/rfc822-headers");
        assertThat(parsed.parts().get(2).body()).contains("Subject: secret").doesNotContain("Hello secret");
        // Our own explanation is not an SMTP reply: it must not be labelled as one.
        assertThat(parsed.recipient("bob@example.net"))
                .containsEntry("diagnostic-code", "X-Relay; REQUIRETLS: no verified TLS path to example.net")
                .doesNotContainKey("remote-mta")
                .doesNotContainKey("last-attempt-date");
    }
}
