package io.stsdane.relay.dkim.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The header block of a message, read off the front of its stream: the fields for signing and every octet read,
 * to pass on unchanged. At most {@code limit} octets are held; a longer block, or a line that is not a field,
 * makes the block {@linkplain #fields() unusable} and is passed on unsigned. Not thread-safe.
 */
final class HeaderBlock {

    private final byte[] bytes;
    private final List<HeaderField> fields;

    private HeaderBlock(byte[] bytes, List<HeaderField> fields) {
        this.bytes = bytes;
        this.fields = fields;
    }

    /** Reads up to and including the empty line that ends the header block (RFC 5322 §2.1), or to the end. */
    static HeaderBlock read(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteArrayOutputStream field = new ByteArrayOutputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        List<HeaderField> fields = new ArrayList<>();
        boolean usable = true;
        int b;
        while ((b = in.read()) >= 0) {
            all.write(b);
            line.write(b);
            if (all.size() > limit) {
                return new HeaderBlock(all.toByteArray(), null);
            }
            if (b != '\n') {
                continue;
            }
            byte[] l = line.toByteArray();
            line.reset();
            if (l[0] == ' ' || l[0] == '\t') {
                // A continuation line (RFC 5322 §2.2.3) belongs to the field before; without one it is garbage.
                usable &= field.size() > 0;
                field.write(l);
                continue;
            }
            if (field.size() > 0) {
                fields.add(new HeaderField(field.toByteArray()));
                field.reset();
            }
            if (l.length == 2 && l[0] == '\r') {
                return new HeaderBlock(all.toByteArray(), usable ? fields : null);
            }
            usable &= fieldName(l) > 0;
            field.write(l);
        }
        // No body: the header block runs to the end of the message.
        if (line.size() > 0) {
            usable = false;
        }
        if (field.size() > 0) {
            fields.add(new HeaderField(field.toByteArray()));
        }
        return new HeaderBlock(all.toByteArray(), usable ? fields : null);
    }

    /** The length of the field name before the colon, or -1 when the line does not start with one (§3.6.8). */
    private static int fieldName(byte[] line) {
        for (int i = 0; i < line.length; i++) {
            if (line[i] == ':') {
                return i;
            }
            if (line[i] <= ' ' || line[i] > '~') {
                return -1;
            }
        }
        return -1;
    }

    /** Every octet read, to pass on in front of the rest of the stream. */
    byte[] bytes() {
        return bytes;
    }

    /** The fields in order, or empty when the block is too long or not made of header fields. */
    Optional<List<HeaderField>> fields() {
        return Optional.ofNullable(fields).map(List::copyOf);
    }
}
