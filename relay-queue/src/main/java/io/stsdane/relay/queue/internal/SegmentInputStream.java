package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.util.ChunkInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * {@code length} bytes of a journal segment from {@code offset}, read through the segment's shared
 * {@link SegmentReader}, on which it holds until closed. Not thread-safe.
 */
final class SegmentInputStream extends ChunkInputStream {

    private final SegmentReader reader;
    private long position;
    private long remaining;
    private boolean closed;

    /** Takes a hold on {@code reader}; fails when the segment is already retired. */
    SegmentInputStream(SegmentReader reader, long offset, long length) throws IOException {
        reader.acquire();
        this.reader = reader;
        this.position = offset;
        this.remaining = length;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (remaining <= 0) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int n = reader.read(ByteBuffer.wrap(b, off, (int) Math.min(len, remaining)), position);
        if (n < 0) {
            throw new CorruptEntryException("journal segment ends " + remaining + " bytes before the content does");
        }
        position += n;
        remaining -= n;
        return n;
    }

    @Override
    public long skip(long n) {
        long s = Math.max(0, Math.min(n, remaining));
        position += s;
        remaining -= s;
        return s;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, remaining);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            reader.release();
        }
    }
}
