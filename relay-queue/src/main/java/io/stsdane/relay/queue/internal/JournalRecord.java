package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.QueueId;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * One record of the spool journal, framed as {@code length(int32) crc32c(int32) type(byte) body}: the CRC-32C
 * covers type and body, the length counts the body. A record whose frame does not fit the file or whose
 * checksum does not match was torn by a crash (or damaged) and is never read as data.
 *
 * <pre>
 *   MESSAGE  id(UTF) envelopeLength(int32) envelope external(byte) contentLength(int64) crc32(content)(int32)
 *            content bytes (only when not external: a large message's content is in large/&lt;id&gt;)
 *   STATE    id(UTF) MessageState (to the end of the record)
 *   REMOVED  id(UTF)
 * </pre>
 *
 * Envelope and state are encoded as the segment's {@link RecordEncoding} says (binary since format version 3).
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
    private static final class Builder {
        private final BinaryWriter out;

        Builder(Type type, QueueId id, int sizeHint) {
            String value = id.value(); // ASCII (QueueId's syntax): its modified UTF-8 is one byte a character
            out = new BinaryWriter(FRAME + 2 + value.length() + sizeHint);
            out.writeLong(0).writeByte(type.code).writeShort(value.length());
            for (int i = 0; i < value.length(); i++) {
                out.writeByte(value.charAt(i));
            }
        }

        BinaryWriter out() {
            return out;
        }

        /** The finished record: fills in length and checksum. */
        byte[] frame() {
            int body = out.size() - FRAME;
            CRC32C crc = new CRC32C();
            crc.update(out.buffer(), 8, body + 1);
            out.setInt(0, body);
            out.setInt(4, (int) crc.getValue());
            return out.toByteArray();
        }
    }

    static byte[] message(QueueId id, byte[] envelope, boolean external, long contentLength, long contentCrc,
            byte[] inlineContent, int inlineLength) {
        Builder b = new Builder(Type.MESSAGE, id, envelope.length + 17 + inlineLength);
        b.out().writeInt(envelope.length)
                .write(envelope, 0, envelope.length)
                .writeBoolean(external)
                .writeLong(contentLength)
                .writeInt((int) contentCrc)
                .write(inlineContent, 0, inlineLength);
        return b.frame();
    }

    static byte[] state(QueueId id, byte[] encodedState) {
        Builder b = new Builder(Type.STATE, id, encodedState.length);
        b.out().write(encodedState, 0, encodedState.length);
        return b.frame();
    }

    static byte[] removed(QueueId id) {
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
