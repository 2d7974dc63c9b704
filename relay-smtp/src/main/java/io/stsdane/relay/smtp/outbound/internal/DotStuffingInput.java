package io.stsdane.relay.smtp.outbound.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.smtp.DefaultLastSmtpContent;
import io.netty.handler.codec.smtp.DefaultSmtpContent;
import io.netty.handler.codec.smtp.SmtpContent;
import io.netty.handler.stream.ChunkedInput;
import java.io.IOException;
import java.io.InputStream;

/**
 * The message body as DATA content, read chunk by chunk from the spool so only a few chunks are ever in memory
 * ({@code ChunkedWriteHandler} pulls the next one when the socket is writable).
 *
 * <p>Dot-stuffing (RFC 5321 §4.5.2): a {@code .} at the start of a line is doubled. A line starts after any LF,
 * bare or not, so that a bare {@code LF.LF} in the content can never end the data early on a lenient server
 * (SMTP smuggling). The content is made to end with CRLF, because the encoder appends only {@code .CRLF}.
 *
 * <p>Used by one channel's event loop; {@link #lastProgressNanos()} may be read from it too.
 */
final class DotStuffingInput implements ChunkedInput<SmtpContent> {

    private static final int CHUNK = 16 * 1024;

    private final InputStream in;
    private final byte[] buf = new byte[CHUNK];
    private boolean lineStart = true;
    private byte last = '\n';
    private byte beforeLast = '\r';
    private boolean eof;
    private boolean endSent;
    private long progress;
    private volatile long lastProgressNanos = System.nanoTime();

    DotStuffingInput(InputStream in) {
        this.in = in;
    }

    long lastProgressNanos() {
        return lastProgressNanos;
    }

    @Override
    public boolean isEndOfInput() {
        return endSent;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    @Deprecated
    @Override
    public SmtpContent readChunk(ChannelHandlerContext ctx) throws Exception {
        return readChunk(ctx.alloc());
    }

    @Override
    public SmtpContent readChunk(ByteBufAllocator alloc) throws IOException {
        lastProgressNanos = System.nanoTime();
        if (endSent) {
            return null;
        }
        if (!eof) {
            int n = in.read(buf);
            if (n > 0) {
                progress += n;
                return new DefaultSmtpContent(stuff(alloc, n));
            }
            eof = true;
        }
        endSent = true;
        boolean endsWithCrlf = beforeLast == '\r' && last == '\n';
        ByteBuf tail = endsWithCrlf ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(new byte[] {'\r', '\n'});
        return new DefaultLastSmtpContent(tail);
    }

    /** The chunk's {@code n} bytes, a dot added before each dot that starts a line; runs between are copied whole. */
    private ByteBuf stuff(ByteBufAllocator alloc, int n) {
        ByteBuf out = alloc.buffer(n + n / 64 + 8);
        int from = 0;
        for (int i = 0; i < n; i++) {
            if (buf[i] == '.' && (i == 0 ? lineStart : buf[i - 1] == '\n')) {
                out.writeBytes(buf, from, i - from).writeByte('.');
                from = i;
            }
        }
        out.writeBytes(buf, from, n - from);
        beforeLast = n > 1 ? buf[n - 2] : last;
        last = buf[n - 1];
        lineStart = last == '\n';
        return out;
    }

    @Override
    public long length() {
        return -1;
    }

    @Override
    public long progress() {
        return progress;
    }
}
