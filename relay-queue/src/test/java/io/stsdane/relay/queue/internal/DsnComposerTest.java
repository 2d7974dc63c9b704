package io.stsdane.relay.queue.internal;

import static io.stsdane.relay.queue.TestMessages.bytes;
import static io.stsdane.relay.queue.TestMessages.rcpt;
import static io.stsdane.relay.queue.TestMessages.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.queue.Ret;
import io.stsdane.relay.core.testing.InMemoryContent;
import io.stsdane.relay.queue.Dsn;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DsnComposerTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private static final String UTF8_SENDER = "アリス@例え.jp";
    private static final String UTF8_CONTENT = "From: <アリス@例え.jp>\r\nTo: <jörg@bücher.example>\r\n"
            + "Subject: Grüße\r\nMessage-ID: <g1@example.jp>\r\n\r\nHallo Jörg.\r\n";

    private static RecipientState failed(String diagnostic) {
        return RecipientState.initial(T0).withStatus(RecipientState.Status.BOUNCED, "5.1.1", diagnostic,
                RecipientState.Report.FAILED);
    }

    private static DsnComposer.Dsn compose(Envelope env, String content) throws Exception {
        List<RecipientState> states = env.recipients().stream().map(r -> failed("550 5.1.1 unknown user")).toList();
        StoredMessage m = new StoredMessage(new QueueId("M1"), env, 10, new MessageState(false, states, T0));
        return new DsnComposer("relay.example.com", Duration.ofDays(5))
                .compose(m, InMemoryContent.of(bytes(content)), new QueueId("D1"), T0);
    }

    private static String render(DsnComposer.Dsn dsn) throws Exception {
        try (var in = dsn.content()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Envelope utf8Envelope(Ret ret, Recipient... rcpts) {
        return new Envelope(UTF8_SENDER, List.of(rcpts), ret, null, false, true, true, T0, "");
    }

    @Test
    void smtpUtf8MessageGetsAGlobalDsnWithUtf8AddressesAndItsWholeContentBack() throws Exception {
        Recipient jorg = new Recipient("jörg@bücher.example", Set.of(), "utf-8;j\\x{F6}rg@b\\x{FC}cher.example");
        Recipient tagged = new Recipient("jörg+tag@bücher.example", Set.of(), null);
        Recipient ascii = new Recipient("bob@example.net", Set.of(), null);
        DsnComposer.Dsn dsn = compose(utf8Envelope(Ret.FULL, jorg, tagged, ascii), UTF8_CONTENT);

        // The DSN carries UTF-8 unencoded, so the next hop must offer SMTPUTF8 (RFC 6533).
        assertThat(dsn.envelope().smtpUtf8()).isTrue();
        assertThat(dsn.envelope().eightBitMime()).isTrue();
        assertThat(dsn.envelope().sender()).isEmpty();
        assertThat(dsn.envelope().recipients()).singleElement()
                .satisfies(r -> assertThat(r.address()).isEqualTo(UTF8_SENDER));
        Dsn parsed = Dsn.parse(render(dsn));
        assertThat(parsed.headers().get("content-type"))
                .startsWith("multipart/report; report-type=delivery-status;");
        assertThat(parsed.headers()).containsEntry("to", "<" + UTF8_SENDER + ">");
        assertThat(parsed.parts()).extracting(p -> p.headers().get("content-type")).containsExactly(
                "text/plain; charset=utf-8", "message/global-delivery-status", "message/global");
        assertThat(parsed.parts().get(1).headers()).containsEntry("content-transfer-encoding", "8bit");
        assertThat(parsed.parts().get(2).headers()).containsEntry("content-transfer-encoding", "8bit");
        assertThat(parsed.recipient("jörg@bücher.example"))
                .containsEntry("final-recipient", "utf-8; jörg@bücher.example")
                // The 7-bit ORCPT form comes back in the unitext form of RFC 6533 §3.
                .containsEntry("original-recipient", "utf-8; jörg@bücher.example")
                .containsEntry("action", "failed")
                .containsEntry("status", "5.1.1");
        // '+' is not a QUCHAR: it is embedded as \x{2B}.
        assertThat(parsed.perRecipient().get(1))
                .containsEntry("final-recipient", "utf-8; jörg\\x{2B}tag@bücher.example");
        // An ASCII address keeps its rfc822 type even in a global DSN.
        assertThat(parsed.recipient("bob@example.net")).containsEntry("final-recipient", "rfc822; bob@example.net");
        assertThat(parsed.parts().get(2).body()).isEqualTo(UTF8_CONTENT);
    }

    @Test
    void smtpUtf8MessageWithRetHdrsGetsMessageGlobalHeaders() throws Exception {
        DsnComposer.Dsn dsn = compose(utf8Envelope(Ret.HDRS, new Recipient("jörg@bücher.example", Set.of(), null)),
                UTF8_CONTENT);

        Dsn parsed = Dsn.parse(render(dsn));
        assertThat(parsed.parts().get(1).headers().get("content-type")).isEqualTo("message/global-delivery-status");
        assertThat(parsed.parts().get(2).headers().get("content-type")).isEqualTo("message/global-headers");
        assertThat(parsed.parts().get(2).body()).contains("Subject: Grüße").doesNotContain("Hallo");
        assertThat(parsed.recipient("jörg@bücher.example"))
                .containsEntry("final-recipient", "utf-8; jörg@bücher.example")
                .doesNotContainKey("original-recipient");
        assertThat(dsn.envelope().smtpUtf8()).isTrue();
    }

    @Test
    void asciiMessageKeepsTheRfc3464TypesAndA7BitReportEvenForAUtf8Orcpt() throws Exception {
        // RFC 6533 §3: utf-8-addr-xtext is allowed in ORCPT without SMTPUTF8.
        Recipient r = new Recipient("joerg@buecher.example", Set.of(), "utf-8;j\\x{F6}rg@b\\x{FC}cher.example");
        Envelope env = new Envelope("alice@example.org", List.of(r), Ret.FULL, null, false, false, false, T0, "");
        DsnComposer.Dsn dsn = compose(env, text("plain"));

        assertThat(dsn.envelope().smtpUtf8()).isFalse();
        assertThat(dsn.envelope().eightBitMime()).as("a 7-bit report is sent without BODY=8BITMIME").isFalse();
        Dsn parsed = Dsn.parse(render(dsn));
        assertThat(parsed.parts()).extracting(p -> p.headers().get("content-type")).containsExactly(
                "text/plain; charset=utf-8", "message/delivery-status", "message/rfc822");
        assertThat(parsed.parts().get(1).headers()).doesNotContainKey("content-transfer-encoding");
        assertThat(parsed.parts().get(1).body()).matches("\\p{ASCII}*");
        assertThat(parsed.recipient("joerg@buecher.example"))
                .containsEntry("original-recipient", "utf-8; j\\x{F6}rg@b\\x{FC}cher.example");
    }

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
