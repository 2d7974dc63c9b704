package io.stsdane.relay.smtp.outbound.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.smtp.LastSmtpContent;
import io.netty.handler.codec.smtp.SmtpContent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Dot-stuffing (RFC 5321 §4.5.2) is the same whatever the buffer: the buffer follows the size the caller gives,
 * so a size smaller than the content makes chunk boundaries fall inside lines, before and after dots.
 */
class DotStuffingInputTest {

    private static final String CONTENT = ".first\r\nline\r\n..two\r\n.\r\nbare\n.lf\r\nend.\r\n.";
    private static final String STUFFED = "..first\r\nline\r\n...two\r\n..\r\nbare\n..lf\r\nend.\r\n..\r\n";

    private static String sent(String content, long size) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffingInput in = new DotStuffingInput(new ByteArrayInputStream(bytes), size);
        SmtpContent chunk;
        while ((chunk = in.readChunk(UnpooledByteBufAllocator.DEFAULT)) != null) {
            ByteBuf b = chunk.content();
            b.readBytes(out, b.readableBytes());
            assertThat(in.isEndOfInput()).isEqualTo(chunk instanceof LastSmtpContent);
            chunk.release();
        }
        in.close();
        return out.toString(StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 5, 7, 64, 100_000})
    void everyLineStartingWithADotGetsOneMoreWhereverTheChunksEnd(long size) throws IOException {
        assertThat(sent(CONTENT, size)).isEqualTo(STUFFED);
    }

    @Test
    void contentLongerThanItsStatedSizeIsSentWhole() throws IOException {
        String longer = (CONTENT + "\r\n").repeat(1_000);

        assertThat(sent(longer, CONTENT.length())).isEqualTo(STUFFED.repeat(1_000));
    }

    @Test
    void emptyContentSendsNothingBeforeTheEndOfData() throws IOException {
        assertThat(sent("", 0)).isEmpty();
    }
}
