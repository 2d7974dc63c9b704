package io.stsdane.relay.bench.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ByteProcessor;
import io.stsdane.relay.bench.DeliveryLog;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * One sink connection: a minimal SMTP server that accepts every message, reads its {@code X-Bench-Id} and records
 * it. Replies are queued during a read and flushed once at its end, so pipelined commands (RFC 2920) cost one
 * write. Message content is scanned for the end-of-data marker and dropped, never stored.
 *
 * <p>Confined to its channel's event loop (Netty calls it on one thread); one instance per connection.
 */
public final class SinkSession extends ByteToMessageDecoder {

    private static final int MAX_LINE = 4096;
    /** The id header is first in the message (a relay may put a Received header or two above it). */
    private static final int HEADER_CAPTURE = 16 * 1024;
    private static final byte[] ID_HEADER =
            ("\n" + BenchMessage.ID_HEADER + ":").toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    private static final AtomicLong QUEUE_IDS = new AtomicLong();

    private final DeliveryLog log;
    private final SSLContext tls;
    private final EndOfData endOfData = new EndOfData();
    private final byte[] capture = new byte[HEADER_CAPTURE];
    private int captured;
    private boolean tlsActive;
    private boolean inData;
    private int recipients;

    /** @param tls the server context to offer STARTTLS with; null not to offer it */
    public SinkSession(DeliveryLog log, SSLContext tls) {
        this.log = log;
        this.tls = tls;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        log.connectionOpened();
        ctx.writeAndFlush(reply("220 sink.bench.invalid ESMTP bench sink"));
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable() && ctx.channel().isActive()) {
            if (inData) {
                if (!scanData(ctx, in)) {
                    return;
                }
            } else {
                int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
                if (eol < 0) {
                    if (in.readableBytes() > MAX_LINE) {
                        ctx.writeAndFlush(reply("500 5.5.2 line too long")).addListener(ChannelFutureListener.CLOSE);
                        in.skipBytes(in.readableBytes());
                    }
                    return;
                }
                String line = in.toString(in.readerIndex(), eol - in.readerIndex(), StandardCharsets.US_ASCII);
                in.readerIndex(eol + 1);
                command(ctx, line.endsWith("\r") ? line.substring(0, line.length() - 1) : line, in);
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        super.channelReadComplete(ctx);
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a client that vanishes mid-session is normal under load; nothing to record but the closed channel
        ctx.close();
    }

    /** Consumes content up to the end-of-data marker; returns whether the message ended in this buffer. */
    private boolean scanData(ChannelHandlerContext ctx, ByteBuf in) {
        int start = in.readerIndex();
        int end = in.forEachByte(endOfData);
        int upto = end < 0 ? in.writerIndex() : end + 1;
        int n = Math.min(upto - start, HEADER_CAPTURE - captured);
        if (n > 0) {
            in.getBytes(start, capture, captured, n);
            captured += n;
        }
        in.readerIndex(upto);
        if (end < 0) {
            return false;
        }
        inData = false;
        log.delivered(benchId(), EpochMicros.now());
        ctx.write(reply("250 2.0.0 Ok: queued as " + QUEUE_IDS.incrementAndGet()));
        return true;
    }

    private void command(ChannelHandlerContext ctx, String line, ByteBuf in) {
        String verb = (line.length() >= 4 ? line.substring(0, 4) : line).toUpperCase(Locale.ROOT);
        switch (verb) {
            case "EHLO" -> ctx.write(reply(ehlo()));
            case "HELO" -> ctx.write(reply("250 sink.bench.invalid"));
            case "MAIL" -> {
                recipients = 0;
                ctx.write(reply("250 2.1.0 Ok"));
            }
            case "RCPT" -> {
                recipients++;
                ctx.write(reply("250 2.1.5 Ok"));
            }
            case "DATA" -> {
                if (recipients == 0) {
                    ctx.write(reply("503 5.5.1 RCPT first"));
                } else {
                    inData = true;
                    // a virtual line break before the content, so the first header is found like the others
                    capture[0] = '\n';
                    captured = 1;
                    endOfData.reset();
                    ctx.write(reply("354 End data with <CR><LF>.<CR><LF>"));
                }
            }
            case "RSET" -> {
                recipients = 0;
                ctx.write(reply("250 2.0.0 Ok"));
            }
            case "NOOP" -> ctx.write(reply("250 2.0.0 Ok"));
            case "QUIT" -> ctx.writeAndFlush(reply("221 2.0.0 Bye")).addListener(ChannelFutureListener.CLOSE);
            case "STAR" -> startTls(ctx, line, in);
            default -> ctx.write(reply("502 5.5.2 command not recognized"));
        }
    }

    private String ehlo() {
        StringBuilder sb = new StringBuilder("250-sink.bench.invalid\r\n250-PIPELINING\r\n250-SIZE 104857600\r\n"
                + "250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n");
        if (tls != null && !tlsActive) {
            sb.append("250-STARTTLS\r\n");
        }
        return sb.append("250 SMTPUTF8").toString();
    }

    private void startTls(ChannelHandlerContext ctx, String line, ByteBuf in) {
        if (tls == null || tlsActive || !line.equalsIgnoreCase("STARTTLS")) {
            ctx.write(reply("502 5.5.2 command not recognized"));
            return;
        }
        // RFC 3207 §4.2: anything the client pipelined after STARTTLS was sent in clear; it must not be acted on
        in.skipBytes(in.readableBytes());
        SSLEngine engine = tls.createSSLEngine();
        engine.setUseClientMode(false);
        // startTls=true: the 220 below is the last plaintext write; the handshake follows it
        SslHandler ssl = new SslHandler(engine, true);
        ctx.pipeline().addFirst("tls", ssl);
        tlsActive = true;
        recipients = 0;
        ssl.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                log.tlsEstablished();
            }
        });
        ctx.writeAndFlush(reply("220 2.0.0 Ready to start TLS"));
    }

    /** The X-Bench-Id value in the captured head of the message, or null. */
    private String benchId() {
        int at = indexOfIgnoreCase(capture, captured, ID_HEADER);
        if (at < 0) {
            return null;
        }
        int from = at + ID_HEADER.length;
        int to = from;
        while (to < captured && capture[to] != '\r' && capture[to] != '\n') {
            to++;
        }
        return new String(capture, from, to - from, StandardCharsets.US_ASCII).trim();
    }

    private static int indexOfIgnoreCase(byte[] hay, int length, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (Character.toLowerCase(hay[i + j]) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static ByteBuf reply(String text) {
        return Unpooled.wrappedBuffer((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Recognises CRLF.CRLF (RFC 5321 §4.1.1.4) byte by byte across buffer boundaries. Content starts right after
     * the DATA line, i.e. at the start of a line, so it begins as if a CRLF had just been seen.
     */
    private static final class EndOfData implements ByteProcessor {
        private static final byte[] MARKER = {'\r', '\n', '.', '\r', '\n'};
        private int matched = 2;

        void reset() {
            matched = 2;
        }

        @Override
        public boolean process(byte b) {
            if (b == MARKER[matched]) {
                matched++;
            } else {
                matched = b == '\r' ? 1 : 0;
            }
            if (matched == MARKER.length) {
                matched = 2;
                return false;
            }
            return true;
        }
    }
}
