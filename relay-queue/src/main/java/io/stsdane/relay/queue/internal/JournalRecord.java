package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.QueueId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * One record of the spool journal, framed as {@code length(int32) crc32c(int32) type(byte) body}: the CRC-32C
 * covers type and body, the length counts the body. A record whose frame does not fit the file or whose
 * checksum does not match was torn by a crash (or damaged) and is never read as data.
 *
 * <pre>
 *   MESSAGE  id(UTF) envelopeLength(int32) envelope(JSON) external(byte) contentLength(int64) crc32(content)(int32)
 *            content bytes (only when not external: a large message's content is in large/&lt;id&gt;)
 *   STATE    id(UTF) MessageState(JSON, to the end of the record)
 *   REMOVED  id(UTF)
 * </pre>
 *
 * Immutable value; the codec methods are stateless.
 */
record JournalRecord(Type type, QueueId id, byte[] body) {

    enum Type {
        MESSAGE(1), STATE(2), REMOVED(3);

        final byte code;

        Type(int code) {
            this.code = (byte) code;
        }

        static Type of(byte code) throws CorruptEntryException {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            throw new CorruptEntryException("unknown record type " + code);
        }
    }

    /** length + crc + type. */
    static final int FRAME = 9;
    /** No record we write is larger: 1 MiB of inline content plus a 16 MiB envelope, with room to spare. */
    static final int MAX_BODY = 32 << 20;

    /** Where, within a MESSAGE record's body, the parts lie; offsets are relative to the body's start. */
    record MessageLayout(int envelopeOffset, int envelopeLength, boolean external, long contentLength,
            long contentCrc, int contentOffset) {
    }

    /** Builds a record in one array, frame included, so that it is appended with a single write. */
    static final class Builder extends ByteArrayOutputStream {
        private final DataOutputStream data = new DataOutputStream(this);

        Builder(Type type, QueueId id, int sizeHint) throws IOException {
            super(FRAME + 64 + sizeHint);
            data.write(new byte[FRAME]);
            buf[8] = type.code;
            data.writeUTF(id.value());
        }

        DataOutputStream data() {
            return data;
        }

        /** The finished record: fills in length and checksum. */
        byte[] frame() {
            int body = count - FRAME;
            CRC32C crc = new CRC32C();
            crc.update(buf, 8, body + 1);
            ByteBuffer.wrap(buf, 0, 8).putInt(body).putInt((int) crc.getValue());
            return buf.length == count ? buf : java.util.Arrays.copyOf(buf, count);
        }
    }

    static byte[] message(QueueId id, byte[] envelope, boolean external, long contentLength, long contentCrc,
            byte[] inlineContent, int inlineLength) throws IOException {
        Builder b = new Builder(Type.MESSAGE, id, envelope.length + 17 + inlineLength);
        b.data().writeInt(envelope.length);
        b.data().write(envelope);
        b.data().writeByte(external ? 1 : 0);
        b.data().writeLong(contentLength);
        b.data().writeInt((int) contentCrc);
        b.data().write(inlineContent, 0, inlineLength);
        return b.frame();
    }

    static byte[] state(QueueId id, byte[] stateJson) throws IOException {
        Builder b = new Builder(Type.STATE, id, stateJson.length);
        b.data().write(stateJson);
        return b.frame();
    }

    static byte[] removed(QueueId id) throws IOException {
        return new Builder(Type.REMOVED, id, 0).frame();
    }

    /**
     * The body length a frame announces, or -1 when it cannot be one of ours; {@code frame} holds the
     * {@link #FRAME} bytes at the record's start.
     */
    static int bodyLength(byte[] frame) {
        int length = ByteBuffer.wrap(frame).getInt();
        return length < 3 || length > MAX_BODY ? -1 : length;
    }

    /** Checks the checksum of a frame + body read from disk and splits it; throws when it does not match. */
    static JournalRecord decode(byte[] frame, byte[] body) throws CorruptEntryException {
        CRC32C crc = new CRC32C();
        crc.update(frame, 8, 1);
        crc.update(body);
        if ((int) crc.getValue() != ByteBuffer.wrap(frame).getInt(4)) {
            throw new CorruptEntryException("record checksum mismatch");
        }
        Type type = Type.of(frame[8]);
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(body));
            QueueId id = new QueueId(in.readUTF());
            return new JournalRecord(type, id, body);
        } catch (IOException | IllegalArgumentException e) {
            throw new CorruptEntryException("record without a valid queue id: " + e.getMessage());
        }
    }

    /** Bytes of the body taken by the id (its UTF length prefix included). */
    int idLength() {
        return 2 + (((body[0] & 0xff) << 8) | (body[1] & 0xff));
    }

    MessageLayout messageLayout() throws CorruptEntryException {
        return messageLayout(body, 0, body.length);
    }

    /** The layout of the MESSAGE body in {@code buf[start, start + length)}; offsets relative to {@code start}. */
    static MessageLayout messageLayout(byte[] buf, int start, int length) throws CorruptEntryException {
        ByteBuffer b = ByteBuffer.wrap(buf, start, length).slice();
        int idLength = 2 + (b.getShort(0) & 0xffff);
        int envOffset = idLength + 4;
        if (length < envOffset + 13) {
            throw new CorruptEntryException("message record too short");
        }
        int envLength = b.getInt(idLength);
        if (envLength <= 0 || envOffset + (long) envLength + 13 > length) {
            throw new CorruptEntryException("envelope length " + envLength + " does not fit its record");
        }
        int flags = envOffset + envLength;
        boolean external = b.get(flags) == 1;
        long contentLength = b.getLong(flags + 1);
        long contentCrc = Integer.toUnsignedLong(b.getInt(flags + 9));
        int contentOffset = flags + 13;
        if (contentLength < 0 || (!external && contentOffset + contentLength != length)) {
            throw new CorruptEntryException("content length " + contentLength + " does not fit its record");
        }
        return new MessageLayout(envOffset, envLength, external, contentLength, contentCrc, contentOffset);
    }

    /** The JSON of a STATE record. */
    int stateOffset() {
        return idLength();
    }
}
