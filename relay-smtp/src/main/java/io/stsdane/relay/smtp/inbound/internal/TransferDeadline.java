package io.stsdane.relay.smtp.inbound.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

/**
 * The raw DATA input, moving its session's deadline as bytes arrive: the whole transfer must end within the
 * data timeout plus its size divided by the minimum rate (as Postfix's {@code smtpd_min_data_rate}), so a client
 * trickling a byte at a time cannot hold a session for ever. The watchdog in {@link Sessions} cuts it at the
 * deadline. Not thread-safe: one DATA transfer on its session's thread.
 */
final class TransferDeadline extends FilterInputStream {

    /** Deadline updates every so many bytes, not per read. */
    private static final int STEP = 4096;

    private final SessionActivity activity;
    private final long start = System.nanoTime();
    private final long baseNanos;
    private final double nanosPerByte;
    private long bytes;
    private long sinceUpdate;

    TransferDeadline(InputStream in, SessionActivity activity, long baseNanos, long minBytesPerSecond) {
        super(in);
        this.activity = activity;
        this.baseNanos = baseNanos;
        this.nanosPerByte = (double) TimeUnit.SECONDS.toNanos(1) / minBytesPerSecond;
        activity.deadline(start + baseNanos);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            advance(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = in.read(buf, off, len);
        if (n > 0) {
            advance(n);
        }
        return n;
    }

    private void advance(int n) {
        bytes += n;
        sinceUpdate += n;
        if (sinceUpdate >= STEP) {
            sinceUpdate = 0;
            activity.deadline(start + baseNanos + (long) (bytes * nanosPerByte));
        }
    }
}
