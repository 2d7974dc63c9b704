package io.stsdane.relay.smtp.inbound.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Prepends the trace header and, when the message lacks them, Message-ID and Date (RFC 5322 §3.6). To know
 * whether they are present it holds the header block, up to {@value #MAX_HEADER} octets, before streaming the
 * rest untouched; a longer header block is passed on without additions. Not thread-safe.
 */
final class HeaderAugmenter extends InputStream {

    static final int MAX_HEADER = 256 * 1024;

    private final InputStream in;
    private final String received;
    private final Function<Presence, String> additions;
    private InputStream out;

    /** Which of the fields the original header block has; both true when the block was too long to look at. */
    record Presence(boolean messageId, boolean date) {
    }

    /**
     * @param received the complete Received field, CRLF-terminated
     * @param additions builds the fields to add (CRLF-terminated, possibly "") given what is present
     */
    HeaderAugmenter(InputStream in, String received, Function<Presence, String> additions) {
        this.in = in;
        this.received = received;
        this.additions = additions;
    }

    @Override
    public int read() throws IOException {
        return stream().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return stream().read(b, off, len);
    }

    private InputStream stream() throws IOException {
        if (out == null) {
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            Presence presence = readHeader(header);
            byte[] prefix = (received + additions.apply(presence)).getBytes(StandardCharsets.UTF_8);
            out = new SequenceInputStream(java.util.Collections.enumeration(List.of(
                    new ByteArrayInputStream(prefix), new ByteArrayInputStream(header.toByteArray()), in)));
        }
        return out;
    }

    private Presence readHeader(ByteArrayOutputStream header) throws IOException {
        boolean messageId = false;
        boolean date = false;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            line.write(b);
            if (b != '\n') {
                if (header.size() + line.size() > MAX_HEADER) {
                    line.writeTo(header);
                    return new Presence(true, true);
                }
                continue;
            }
            String text = line.toString(StandardCharsets.ISO_8859_1);
            line.writeTo(header);
            line.reset();
            if (text.equals("\r\n")) {
                break;
            }
            String name = text.indexOf(':') > 0 ? text.substring(0, text.indexOf(':')).strip()
                    .toLowerCase(Locale.ROOT) : "";
            messageId |= name.equals("message-id");
            date |= name.equals("date");
        }
        line.writeTo(header);
        return new Presence(messageId, date);
    }
}
