package io.stsdane.relay.queue.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool's append-only journal ({@code spool.dir/journal/}): a run of {@link JournalSegment}s, of which the
 * newest takes the appends. Appends write the record to the operating system at once; {@link #awaitDurable()}
 * waits for the group commit ({@link GroupCommitter}): one {@code fsync} of the active segment, preceded by an
 * {@code fsync} of any directory in which a file was created since the last commit, makes every append before
 * it durable. A segment that grows past the segment size is forced, closed and followed by a new one.
 * Every {@code fsync} the spool does goes through {@link SpoolSync} and is counted ({@link #syncCount()}).
 * Thread-safe.
 */
final class Journal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);

    /** Where an appended record lies. */
    record Position(long segment, long offset) {
    }

    private final Path dir;
    /** What really syncs. */
    private final SpoolSync disk;
    /** {@link #disk}, counted: the only way the journal syncs. */
    private final SpoolSync sync;
    private final long segmentSize;
    private final AtomicLong syncs = new AtomicLong();
    private final TreeMap<Long, JournalSegment> segments = new TreeMap<>();
    private final List<Path> dirtyDirectories = new ArrayList<>();
    private final GroupCommitter committer;
    private final Consumer<Journal> onRotate;
    private JournalSegment active;

    /**
     * @param existing the segments recovery found, by sequence number; the last one takes the appends
     * @param commitDelay how long a commit may wait for intakes on their way
     * @param onRotate called (on the appending thread, outside any lock) after a new segment was started
     */
    Journal(Path dir, SpoolSync sync, long segmentSize, Map<Long, JournalSegment> existing, CommitDelay commitDelay,
            Consumer<Journal> onRotate) throws IOException {
        this.dir = dir;
        this.disk = sync;
        this.sync = this::countedSync;
        this.segmentSize = segmentSize;
        this.onRotate = onRotate;
        this.segments.putAll(existing);
        if (existing.isEmpty()) {
            this.active = startSegment(1);
        } else {
            // Appends go on where the last run stopped (recovery cut any torn tail off).
            this.active = segments.lastEntry().getValue().reopen();
            segments.put(active.seq, active);
        }
        this.committer = new GroupCommitter("the spool journal in " + dir, this::commit, commitDelay);
    }

    private void countedSync(FileChannel ch) throws IOException {
        syncs.incrementAndGet();
        disk.sync(ch);
    }

    /** A new segment, durable (header forced, directory entry synced) before anything is appended to it. */
    private JournalSegment startSegment(long seq) throws IOException {
        JournalSegment s = JournalSegment.create(dir, seq);
        s.force(sync);
        syncDirectory(dir);
        segments.put(seq, s);
        return s;
    }

    void syncDirectory(Path directory) throws IOException {
        try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
            sync.sync(ch);
        }
    }

    /**
     * Appends a record; durable only after {@link #awaitDurable()}. With {@code referenced}, the record's segment
     * counts it as referenced from the moment it is there (so it is never deleted under it), until
     * {@link #unref}.
     */
    Position append(byte[] record, boolean referenced) throws IOException {
        boolean rotated = false;
        Position at;
        synchronized (this) {
            if (active.size() + record.length > segmentSize && active.size() > JournalSegment.HEADER) {
                active.seal(sync);
                active = startSegment(active.seq + 1);
                rotated = true;
            }
            at = new Position(active.seq, active.append(record));
            if (referenced) {
                active.ref(record.length);
            }
        }
        if (rotated) {
            onRotate.accept(this);
        }
        return at;
    }

    /** Drops a reference taken by {@link #append} (or by recovery) on segment {@code seq}. */
    synchronized void unref(long seq, long bytes) {
        JournalSegment s = segments.get(seq);
        if (s != null) {
            s.unref(bytes);
        }
    }

    /** Forces a file of the spool (a large message's), counted like every spool sync. */
    void force(FileChannel ch) throws IOException {
        sync.sync(ch);
    }

    /** The directory gets an {@code fsync} in the next commit, before the segment's: a file was created in it. */
    synchronized void directoryChanged(Path directory) {
        if (!dirtyDirectories.contains(directory)) {
            dirtyDirectories.add(directory);
        }
    }

    /** Waits until everything appended before the call is durable. */
    void awaitDurable() throws IOException {
        committer.awaitDurable();
    }

    /** Asks for a commit without waiting (lazy records): the next one somebody waits for, or a timer's. */
    void requestCommit() {
        committer.request();
    }

    private void commit() throws IOException {
        List<Path> dirs;
        JournalSegment current;
        synchronized (this) {
            dirs = List.copyOf(dirtyDirectories);
            dirtyDirectories.clear();
            current = active;
        }
        for (Path d : dirs) {
            syncDirectory(d);
        }
        // A segment sealed since the snapshot was forced when it was sealed.
        current.force(sync);
    }

    /** Every {@code fsync}: segments, new files and directories. */
    long syncCount() {
        return syncs.get();
    }

    synchronized Optional<JournalSegment> segment(long seq) {
        return Optional.ofNullable(segments.get(seq));
    }

    /** The reader of segment {@code seq}; {@link NoSuchFileException} when it was deleted. */
    synchronized SegmentReader reader(long seq) throws NoSuchFileException {
        JournalSegment s = segments.get(seq);
        if (s == null) {
            throw new NoSuchFileException(file(seq) + " was deleted");
        }
        return s.reader;
    }

    Path file(long seq) {
        return JournalSegment.path(dir, seq);
    }

    /** The sealed segments, oldest first. */
    synchronized List<JournalSegment> sealed() {
        return segments.values().stream().filter(s -> s != active).toList();
    }

    synchronized long activeSeq() {
        return active.seq;
    }

    synchronized long totalBytes() {
        return segments.values().stream().mapToLong(JournalSegment::size).sum();
    }

    /** Bytes of records that queued messages still refer to. */
    synchronized long liveBytes() {
        return segments.values().stream().mapToLong(JournalSegment::liveBytes).sum();
    }

    /**
     * Deletes the oldest sealed segments for as long as nothing queued refers to them, then syncs the
     * directory. Only a prefix goes: a later segment may hold the REMOVED record of a message in an earlier
     * one, which must not come back by outliving it. Returns how many went.
     */
    int deleteFinishedPrefix() throws IOException {
        int deleted = 0;
        while (true) {
            JournalSegment oldest;
            synchronized (this) {
                oldest = segments.firstEntry().getValue();
                if (oldest == active || !oldest.unreferenced()) {
                    break;
                }
                segments.remove(oldest.seq);
            }
            Files.deleteIfExists(oldest.file);
            oldest.reader.retire();
            LOG.debug("spool: deleted finished journal segment {}", oldest.file);
            deleted++;
        }
        if (deleted > 0) {
            syncDirectory(dir);
        }
        return deleted;
    }

    @Override
    public void close() {
        committer.close();
        synchronized (this) {
            active.closeQuietly();
            segments.values().forEach(s -> s.reader.retire());
        }
    }
}
