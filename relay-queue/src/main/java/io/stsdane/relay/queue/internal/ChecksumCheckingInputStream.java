package io.stsdane.relay.queue.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;

/**
 * Passes a stream through and, at its end, compares the CRC-32 of everything read with the expected value:
 * the reader that copies a body elsewhere learns it was damaged before it commits the copy. A mismatch is a
 * {@link CorruptEntryException}. Not thread-safe.
 */
final class ChecksumCheckingInputStream extends FilterInputStream {

    private final CRC32 crc = new CRC32();
    private final long expected;
    private final String mismatch;
    private boolean checked;

    ChecksumCheckingInputStream(InputStream in, long expected, String mismatch) {
        super(in);
        this.expected = expected;
        this.mismatch = mismatch;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            checkAtEnd();
        } else {
            crc.update(b);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n < 0) {
            checkAtEnd();
        } else {
            crc.update(b, off, n);
        }
        return n;
    }

    /** Skipped bytes would escape the checksum. */
    @Override
    public long skip(long n) throws IOException {
        throw new IOException("skip is not supported on a checksummed stream");
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void checkAtEnd() throws CorruptEntryException {
        if (!checked && crc.getValue() != expected) {
            throw new CorruptEntryException(mismatch);
        }
        checked = true;
    }
}
