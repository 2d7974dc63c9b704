package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.Envelope;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * The layout of one message file ({@code <id>.msg}) of the spool format version 1, read only to migrate such
 * a spool into the journal ({@link LegacySpool}).
 *
 * <pre>
 *   "STSQ" version(1)  envelopeLength(int32)  envelope JSON  crc32(envelope)(int32)
 *   content bytes (exactly as accepted)
 *   contentLength(int64)  crc32(content)(int32)  "END."
 * </pre>
 *
 * The trailer comes last, so a file that lost its tail is detected by its size and missing END marker, in
 * the spirit of Postfix's END record. Stateless; thread-safe.
 */
final class SpoolFile {

    private static final byte[] MAGIC = "STSQ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "END.".getBytes(StandardCharsets.US_ASCII);
    private static final byte VERSION = 1;
    private static final int HEADER_FIXED = MAGIC.length + 1 + 4;
    private static final int TRAILER = 8 + 4 + END.length;
    /** An envelope of more than 16 MiB is not one we wrote. */
    private static final int MAX_ENVELOPE = 16 << 20;

    /** Where the content of a valid file lies. */
    record Layout(Envelope envelope, long contentOffset, long contentLength, long contentCrc) {
    }

    private SpoolFile() {
    }

    /** Reads and checks header and trailer (not the content checksum: that would read every byte). */
    static Layout read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER_FIXED + 4 + TRAILER) {
                throw new CorruptEntryException(file + ": " + size + " bytes is too short for a spool file");
            }
            ByteBuffer head = readFully(ch, 0, HEADER_FIXED);
            byte[] magic = new byte[MAGIC.length];
            head.get(magic);
            if (!Arrays.equals(magic, MAGIC) || head.get() != VERSION) {
                throw new CorruptEntryException(file + ": not a version " + VERSION + " spool file");
            }
            int envLength = head.getInt();
            if (envLength <= 0 || envLength > MAX_ENVELOPE || HEADER_FIXED + envLength + 4L + TRAILER > size) {
                throw new CorruptEntryException(file + ": envelope length " + envLength + " does not fit");
            }
            ByteBuffer envBuf = readFully(ch, HEADER_FIXED, envLength + 4);
            byte[] env = new byte[envLength];
            envBuf.get(env);
            if ((int) crc(env, envLength) != envBuf.getInt()) {
                throw new CorruptEntryException(file + ": envelope checksum mismatch");
            }
            ByteBuffer tail = readFully(ch, size - TRAILER, TRAILER);
            long contentLength = tail.getLong();
            long contentCrc = Integer.toUnsignedLong(tail.getInt());
            byte[] end = new byte[END.length];
            tail.get(end);
            long offset = HEADER_FIXED + envLength + 4L;
            if (!Arrays.equals(end, END) || offset + contentLength + TRAILER != size) {
                throw new CorruptEntryException(file + ": trailer missing or content length wrong (truncated?)");
            }
            Envelope envelope;
            try {
                envelope = SpoolJson.MAPPER.readValue(env, Envelope.class);
            } catch (IOException | RuntimeException e) {
                throw new CorruptEntryException(file + ": unreadable envelope: " + e.getMessage());
            }
            return new Layout(envelope, offset, contentLength, contentCrc);
        }
    }

    private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) {
                throw new CorruptEntryException("unexpected end of file");
            }
        }
        return buf.flip();
    }

    private static long crc(byte[] b, int len) {
        CRC32 c = new CRC32();
        c.update(b, 0, len);
        return c.getValue();
    }
}
