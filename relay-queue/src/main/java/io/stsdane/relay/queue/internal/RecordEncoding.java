package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.Envelope;
import java.io.IOException;
import java.util.Optional;

/**
 * How the envelopes and states in a journal segment are encoded, by the segment's format version: JSON in
 * version 2 (only read: recovery, delivery and compaction of segments an older relay wrote), {@link SpoolBinary}
 * in version 3, which every new segment is.
 */
enum RecordEncoding {
    JSON(2) {
        @Override
        Envelope envelope(byte[] buf, int offset, int length) throws IOException {
            return SpoolJson.MAPPER.readValue(buf, offset, length, Envelope.class);
        }

        @Override
        MessageState state(byte[] buf, int offset, int length) throws IOException {
            return SpoolJson.MAPPER.readValue(buf, offset, length, MessageState.class);
        }
    },
    BINARY(3) {
        @Override
        Envelope envelope(byte[] buf, int offset, int length) throws IOException {
            return SpoolBinary.envelope(buf, offset, length);
        }

        @Override
        MessageState state(byte[] buf, int offset, int length) throws IOException {
            return SpoolBinary.state(buf, offset, length);
        }
    };

    /** What new segments are written in. */
    static final RecordEncoding CURRENT = BINARY;

    final byte version;

    RecordEncoding(int version) {
        this.version = (byte) version;
    }

    /** The encoding of segment format {@code version}; empty for a version this relay does not read. */
    static Optional<RecordEncoding> ofVersion(byte version) {
        for (RecordEncoding e : values()) {
            if (e.version == version) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    abstract Envelope envelope(byte[] buf, int offset, int length) throws IOException;

    abstract MessageState state(byte[] buf, int offset, int length) throws IOException;
}
