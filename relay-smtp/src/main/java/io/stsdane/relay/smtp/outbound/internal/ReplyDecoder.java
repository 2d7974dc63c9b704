package io.stsdane.relay.smtp.outbound.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames SMTP replies with bounded line length and bounded line count, so a hostile server cannot exhaust the
 * heap. Used instead of Netty's {@code SmtpResponseDecoder} because that one neither bounds multi-line replies
 * nor lets us see the bytes still buffered after the reply to STARTTLS. Confined to the channel's event loop.
 */
final class ReplyDecoder extends ByteToMessageDecoder {

    static final int MAX_LINE = 2048;
    static final int MAX_LINES = 100;

    private final List<String> lines = new ArrayList<>();
    private int code = -1;
    private boolean watchForInjection;

    /** Called before STARTTLS is sent: the next complete reply reports whether bytes followed it. */
    void watchNextReplyForTrailingData() {
        watchForInjection = true;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
            if (eol < 0) {
                if (in.readableBytes() > MAX_LINE) {
                    throw new DecoderException("reply line longer than " + MAX_LINE + " octets");
                }
                return;
            }
            int len = eol - in.readerIndex();
            if (len > MAX_LINE) {
                throw new DecoderException("reply line longer than " + MAX_LINE + " octets");
            }
            String line = in.readCharSequence(len, StandardCharsets.ISO_8859_1).toString();
            in.skipBytes(1);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (addLine(line)) {
                boolean trailing = watchForInjection && in.isReadable();
                if (watchForInjection) {
                    watchForInjection = false;
                    // Whatever follows the STARTTLS reply was sent in plaintext: never parse it (RFC 3207 §6).
                    in.skipBytes(in.readableBytes());
                }
                out.add(new SmtpReply(code, lines, trailing));
                lines.clear();
                code = -1;
                if (trailing) {
                    return;
                }
            }
        }
    }

    /** Returns true when {@code line} completes a reply. */
    private boolean addLine(String line) {
        if (line.length() < 3 || !isCode(line)) {
            throw new DecoderException("malformed reply line: " + printable(line));
        }
        int c = Integer.parseInt(line.substring(0, 3));
        if (code >= 0 && c != code) {
            throw new DecoderException("reply code changed inside a multi-line reply: " + printable(line));
        }
        code = c;
        if (lines.size() >= MAX_LINES) {
            throw new DecoderException("reply with more than " + MAX_LINES + " lines");
        }
        char sep = line.length() > 3 ? line.charAt(3) : ' ';
        if (sep != ' ' && sep != '-') {
            throw new DecoderException("malformed reply line: " + printable(line));
        }
        lines.add(line.length() > 4 ? line.substring(4) : "");
        return sep == ' ';
    }

    private static boolean isCode(String line) {
        return line.charAt(0) >= '2' && line.charAt(0) <= '5'
                && Character.isDigit(line.charAt(1)) && Character.isDigit(line.charAt(2));
    }

    static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
