package io.stsdane.relay.queue.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one read channel of a journal segment, shared by every reader (envelopes, contents being delivered,
 * compaction copies) through positional reads, instead of a file opened per read. Opened on the first read;
 * closed once the segment is {@linkplain #retire() retired} (deleted, or the store closing) and the last
 * reader {@linkplain #release() let go}, so a stream opened before the segment was deleted reads on to its end.
 *
 * <p>A thread interrupted in a read closes a {@code FileChannel} for every thread (the JDK's rule for
 * interruptible channels): the reads of the others then fail with an {@code AsynchronousCloseException}, and
 * are retried on a fresh channel. Thread-safe.
 */
final class SegmentReader {

    private final Path file;
    private FileChannel channel;
    private int holders;
    private boolean retired;

    SegmentReader(Path file) {
        this.file = file;
    }

    /**
     * Takes a hold on the channel, to be given back by {@link #release()}; throws {@link NoSuchFileException}
     * once retired (the caller looks the message up again: it was moved forward).
     */
    synchronized void acquire() throws NoSuchFileException {
        if (retired) {
            throw new NoSuchFileException(file + " was deleted");
        }
        holders++;
    }

    synchronized void release() {
        holders--;
        closeIfUnused();
    }

    /** No new holds; the channel closes when the last holder releases it. */
    synchronized void retire() {
        retired = true;
        closeIfUnused();
    }

    /** Reads at {@code position} into {@code dst}, as {@link FileChannel#read(ByteBuffer, long)}; needs a hold. */
    int read(ByteBuffer dst, long position) throws IOException {
        while (true) {
            FileChannel ch = channel();
            try {
                return ch.read(dst, position);
            } catch (ClosedChannelException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw e; // this thread's own interrupt: its read is abandoned
                }
                // another thread's interrupt closed the shared channel: read again on a new one
            }
        }
    }

    /** Reads {@code length} bytes at {@code offset}; needs a hold. */
    byte[] readFully(long offset, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (read(buf, offset + buf.position()) < 0) {
                throw new CorruptEntryException(file + ": ends before offset " + (offset + length));
            }
        }
        return buf.array();
    }

    private synchronized FileChannel channel() throws IOException {
        if (channel == null || !channel.isOpen()) {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        }
        return channel;
    }

    private void closeIfUnused() {
        if (retired && holders == 0 && channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // a read channel: nothing is lost
            }
            channel = null;
        }
    }
}
