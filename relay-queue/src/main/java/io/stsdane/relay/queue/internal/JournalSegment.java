package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.util.OwnerGroupFiles;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One segment file of the journal, {@code journal/<seq>.seg}: a header ({@code "STSJ"} and the format version)
 * followed by {@link JournalRecord}s, only ever appended to. The writable segment is written through a
 * {@link RandomAccessFile}, whose writes, unlike a {@code FileChannel}'s, are not aborted (and the file closed
 * for every thread) when the writing thread is interrupted. Thread-safe; appends are serialised by the
 * {@link Journal}.
 */
final class JournalSegment {

    static final byte[] MAGIC = "STSJ".getBytes(StandardCharsets.US_ASCII);
    /** Version 1 was the spool of one file per message ({@code queue/<id>.msg}); this journal is version 2. */
    static final byte VERSION = 2;
    static final int HEADER = MAGIC.length + 1;
    private static final String SUFFIX = ".seg";

    final long seq;
    final Path file;
    /** Every read of this segment goes through it; retired when the segment is deleted. */
    final SegmentReader reader;
    private RandomAccessFile writer;
    private long size;
    /** Index entries (message records and latest state records of queued messages) pointing here. */
    private int refs;
    private long liveBytes;

    private JournalSegment(long seq, Path file, RandomAccessFile writer, long size) {
        this.seq = seq;
        this.file = file;
        this.reader = new SegmentReader(file);
        this.writer = writer;
        this.size = size;
    }

    static Path path(Path dir, long seq) {
        return dir.resolve(String.format("%016d%s", seq, SUFFIX));
    }

    /** The sequence number in a segment file name, empty when the name is not one. */
    static Optional<Long> seqOf(Path file) {
        String name = file.getFileName().toString();
        if (name.length() != 16 + SUFFIX.length() || !name.endsWith(SUFFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(name.substring(0, 16)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A new writable segment with its header written (not yet forced). */
    static JournalSegment create(Path dir, long seq) throws IOException {
        Path file = path(dir, seq);
        Files.createFile(file);
        OwnerGroupFiles.restrictFile(file);
        RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw");
        try {
            raf.write(MAGIC);
            raf.write(VERSION);
        } catch (IOException e) {
            raf.close();
            throw e;
        }
        return new JournalSegment(seq, file, raf, HEADER);
    }

    /** Reopens the last segment of an earlier run for appends after its valid length {@code size}. */
    JournalSegment reopen() throws IOException {
        RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw");
        try {
            raf.seek(size);
        } catch (IOException e) {
            raf.close();
            throw e;
        }
        JournalSegment s = new JournalSegment(seq, file, raf, size);
        s.refs = refs;
        s.liveBytes = liveBytes;
        return s;
    }

    /** A segment written by an earlier run, read-only; {@code size} is its valid length. */
    static JournalSegment sealed(Path file, long seq, long size) {
        return new JournalSegment(seq, file, null, size);
    }

    /** Appends a whole record; returns the offset it starts at. */
    synchronized long append(byte[] record) throws IOException {
        long at = size;
        writer.write(record);
        size += record.length;
        return at;
    }

    synchronized long size() {
        return size;
    }

    /**
     * Makes everything appended so far durable; a no-op once sealed (sealing forced it). Holds no lock while
     * the disk works, so appends go on during the {@code fsync} and form the next batch.
     */
    void force(SpoolSync sync) throws IOException {
        RandomAccessFile w;
        synchronized (this) {
            w = writer;
        }
        if (w != null) {
            try {
                sync.sync(w.getChannel());
            } catch (ClosedChannelException sealedMeanwhile) {
                // seal() forced everything ever appended here before closing it
            }
        }
    }

    /** Forces and closes the writer: no more appends. */
    synchronized void seal(SpoolSync sync) throws IOException {
        if (writer != null) {
            sync.sync(writer.getChannel());
            writer.close();
            writer = null;
        }
    }

    /** Closes the writer without forcing (the store is closing; what was not committed was not acknowledged). */
    synchronized void closeQuietly() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException ignored) {
                // nothing acknowledged depends on it
            }
            writer = null;
        }
    }

    synchronized void ref(long bytes) {
        refs++;
        liveBytes += bytes;
    }

    synchronized void unref(long bytes) {
        refs--;
        liveBytes -= bytes;
    }

    synchronized boolean unreferenced() {
        return refs <= 0;
    }

    synchronized long liveBytes() {
        return liveBytes;
    }
}
