package io.stsdane.relay.smtp.outbound.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reply framing: multi-line replies, bounds, and the STARTTLS injection check. */
class ReplyDecoderTest {

    private static void feed(EmbeddedChannel ch, String s) {
        ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
    }

    @Test
    void multiLineReplyBecomesOneReply() {
        EmbeddedChannel ch = new EmbeddedChannel(new ReplyDecoder());
        feed(ch, "250-mx.test hello\r\n250-PIPELINING\r\n250 SIZE 1000\r\n");

        SmtpReply r = ch.readInbound();

        assertThat(r.code()).isEqualTo(250);
        assertThat(r.lines()).containsExactly("mx.test hello", "PIPELINING", "SIZE 1000");
        assertThat(Capabilities.parse(r.lines()).sizeLimit()).isEqualTo(1000);
    }

    @Test
    void enhancedStatusMustAgreeWithTheReplyClass() {
        assertThat(new SmtpReply(550, java.util.List.of("5.1.1 no"), false).enhancedStatus()).isEqualTo("5.1.1");
        assertThat(new SmtpReply(550, java.util.List.of("4.1.1 odd"), false).enhancedStatus()).isEqualTo("5.0.0");
    }

    @Test
    void bytesAfterTheStartTlsReplyAreFlaggedAndDiscarded() {
        ReplyDecoder d = new ReplyDecoder();
        EmbeddedChannel ch = new EmbeddedChannel(d);
        d.watchNextReplyForTrailingData();
        feed(ch, "220 go ahead\r\n250 injected\r\n");

        SmtpReply r = ch.readInbound();

        assertThat(r.trailingData()).isTrue();
        assertThat((Object) ch.readInbound()).isNull();
    }

    @Test
    void aCleanStartTlsReplyIsNotFlagged() {
        ReplyDecoder d = new ReplyDecoder();
        EmbeddedChannel ch = new EmbeddedChannel(d);
        d.watchNextReplyForTrailingData();
        feed(ch, "220 go ahead\r\n");

        assertThat(((SmtpReply) ch.readInbound()).trailingData()).isFalse();
    }

    @Test
    void overlongLineIsRefused() {
        EmbeddedChannel ch = new EmbeddedChannel(new ReplyDecoder());
        assertThatThrownBy(() -> feed(ch, "250 " + "x".repeat(ReplyDecoder.MAX_LINE + 10)))
                .isInstanceOf(DecoderException.class).hasMessageContaining("longer than");
    }

    @Test
    void garbageIsRefused() {
        EmbeddedChannel ch = new EmbeddedChannel(new ReplyDecoder());
        assertThatThrownBy(() -> feed(ch, "HTTP/1.1 200 OK\r\n")).isInstanceOf(DecoderException.class);
    }
}
