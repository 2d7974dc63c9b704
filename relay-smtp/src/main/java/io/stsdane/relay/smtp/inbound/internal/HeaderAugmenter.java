package io.stsdane.relay.smtp.inbound.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
            Header header = readHeader();
            byte[] prefix = (received + additions.apply(header.presence())).getBytes(StandardCharsets.UTF_8);
            out = new SequenceInputStream(new ByteArrayInputStream(prefix),
                    new SequenceInputStream(new ByteArrayInputStream(header.held(), 0, header.length()), in));
        }
        return out;
    }

    /** The octets read ahead (the header block and perhaps some of the body) and what the header block has. */
    private record Header(byte[] held, int length, Presence presence) {
    }

    /** Reads a chunk at a time until the blank line ending the header block, the end, or past the bound. */
    private Header readHeader() throws IOException {
        boolean messageId = false;
        boolean date = false;
        byte[] held = new byte[8192];
        int count = 0;
        int scanned = 0;
        int lineStart = 0;
        while (true) {
            for (; scanned < count; scanned++) {
                if (held[scanned] != '\n') {
                    if (scanned >= MAX_HEADER) {
                        return new Header(held, count, new Presence(true, true));
                    }
                    continue;
                }
                String line = new String(held, lineStart, scanned + 1 - lineStart, StandardCharsets.ISO_8859_1);
                lineStart = scanned + 1;
                if (line.equals("\r\n")) {
                    return new Header(held, count, new Presence(messageId, date));
                }
                String name = line.indexOf(':') > 0 ? line.substring(0, line.indexOf(':')).strip()
                        .toLowerCase(Locale.ROOT) : "";
                messageId |= name.equals("message-id");
                date |= name.equals("date");
            }
            if (count == held.length) {
                held = Arrays.copyOf(held, held.length * 2);
            }
            int n = in.read(held, count, held.length - count);
            if (n < 0) {
                return new Header(held, count, new Presence(messageId, date));
            }
            count += n;
        }
    }
}
