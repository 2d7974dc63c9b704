package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.queue.ContentRefusedException;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.util.DurableFiles;
import io.stsdane.relay.core.util.OwnerGroupFiles;
import io.stsdane.relay.queue.RecoveryReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue on the local file system: a journal with group commit (see docs/queue.md for the format).
 *
 * <pre>
 *   spool.dir/journal/&lt;seq&gt;.seg  append-only segments of checksummed records ({@link JournalRecord})
 *   spool.dir/large/&lt;id&gt;         the content of a message over 1 MiB, streamed into a file of its own
 *   spool.dir/quarantine/          what recovery could not read, copied aside for an operator
 *   spool.dir/lock                 locked while a store is open on the directory ({@link SpoolLock})
 * </pre>
 *
 * A message is accepted by appending one MESSAGE record and waiting for the group commit, which makes every
 * record appended before it durable with one {@code fsync}. State changes are STATE records, made durable the
 * same way before they return; removals are REMOVED records that do not wait (lazy: a crash before the next
 * commit brings the message back, and it is delivered again). In memory: where each message lies and its
 * latest state ({@link Located}), its schedule ({@link ScheduleIndex}), and the envelopes of leased messages
 * (read once per lease, for the state change that records the outcome). Segments no queued message refers to are deleted;
 * live messages of old segments are copied forward by a maintenance thread, so the journal stays proportional
 * to the queue. Thread-safe: appends are serialised by the journal, read-modify-write of one message by a
 * striped lock.
 */
public final class FileQueueStore implements QueueStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileQueueStore.class);
    /** Messages larger than this keep their content in a file of their own, out of the journal. */
    static final int LARGE = 1 << 20;
    static final long SEGMENT_SIZE = 64L << 20;

    private final Path directory;
    private final Path journalDir;
    private final Path largeDir;
    private final Path quarantineDir;
    private final long minFreeDisk;
    /** Looked up once: finding the mount of a path reads the mount table. */
    private final FileStore fileStore;
    private final Clock clock;
    private final SpoolSync sync;
    private final long segmentSize;
    private final CommitDelay commitDelay;
    private final ScheduleIndex index = new ScheduleIndex();
    private final Map<QueueId, Located> locators = new ConcurrentHashMap<>();
    /** Envelopes of the messages leased for delivery, from the lease until its release or the removal. */
    private final Map<QueueId, Envelope> leasedEnvelopes = new ConcurrentHashMap<>();
    private final ReentrantLock[] locks = new ReentrantLock[64];
    private final SpoolLock spoolLock;
    private final ExecutorService maintenance;
    private final AtomicInteger quarantined = new AtomicInteger();
    private volatile Journal journal;
    private volatile int incompleteWrites;

    /** Takes the directory's {@link SpoolLock}: fails when another process (or store) has the spool open. */
    public FileQueueStore(Path directory, long minFreeDisk, Clock clock, SpoolSync sync) throws IOException {
        this(directory, minFreeDisk, clock, sync, CommitDelay.none());
    }

    /** With a group commit that may wait for intakes on their way ({@code spool.commit-delay}). */
    public FileQueueStore(Path directory, long minFreeDisk, Clock clock, SpoolSync sync, CommitDelay commitDelay)
            throws IOException {
        this(directory, minFreeDisk, clock, sync, SEGMENT_SIZE, commitDelay);
    }

    /** With segments of {@code segmentSize} bytes (the default is 64 MiB; tests rotate and compact sooner). */
    public FileQueueStore(Path directory, long minFreeDisk, Clock clock, SpoolSync sync, long segmentSize)
            throws IOException {
        this(directory, minFreeDisk, clock, sync, segmentSize, CommitDelay.none());
    }

    private FileQueueStore(Path directory, long minFreeDisk, Clock clock, SpoolSync sync, long segmentSize,
            CommitDelay commitDelay) throws IOException {
        OwnerGroupFiles.createDirectories(directory);
        this.spoolLock = SpoolLock.acquire(directory);
        this.directory = directory;
        this.journalDir = OwnerGroupFiles.createDirectories(directory.resolve("journal"));
        this.largeDir = OwnerGroupFiles.createDirectories(directory.resolve("large"));
        this.quarantineDir = OwnerGroupFiles.createDirectories(directory.resolve("quarantine"));
        this.minFreeDisk = minFreeDisk;
        this.fileStore = Files.getFileStore(journalDir);
        this.clock = clock;
        this.sync = sync;
        this.segmentSize = segmentSize;
        this.commitDelay = commitDelay;
        this.maintenance = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "spool-compactor");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Every {@code fsync} of the spool so far: with group commit, far fewer than the messages written. */
    public long spoolSyncs() {
        Journal j = journal;
        return j == null ? 0 : j.syncCount();
    }

    /** Entries recovery set aside since this store was opened (see {@code quarantine/}). */
    public int quarantinedCount() {
        return quarantined.get();
    }

    @Override
    public RecoveryReport recover() throws IOException {
        if (journal != null) {
            throw new IllegalStateException("the spool is already recovered");
        }
        JournalRecovery.Result replay = new JournalRecovery(journalDir, largeDir, quarantineDir, clock, index).run();
        locators.putAll(replay.live());
        int dropped = replay.tornTails();
        int orphans = 0;
        for (Path p : JournalRecovery.orphanLargeFiles(largeDir, locators)) {
            // A large message's file without a durable MESSAGE record (never acknowledged), or of a removed one.
            Files.deleteIfExists(p);
            orphans++;
        }
        journal = new Journal(journalDir, sync, segmentSize, replay.segments(), commitDelay,
                j -> scheduleMaintenance());
        int legacyQuarantined = 0;
        Path legacy = directory.resolve("queue");
        if (Files.isDirectory(legacy)) {
            LegacySpool.Migrated m = new LegacySpool(directory, quarantineDir, clock).migrateInto(this);
            dropped += m.incompleteWrites();
            legacyQuarantined = m.quarantined();
        }
        quarantined.addAndGet(replay.quarantined() + legacyQuarantined);
        incompleteWrites = dropped;
        scheduleMaintenance();
        RecoveryReport report = new RecoveryReport(index.size(), dropped, quarantined.get(), orphans);
        LOG.info("spool recovery of {}: {} messages queued, {} incomplete writes dropped, {} entries quarantined "
                + "in {}, {} orphan files removed; journal of {} segments", directory, report.recovered(), dropped,
                report.quarantined(), quarantineDir, orphans, replay.segments().size());
        return report;
    }

    @Override
    public void checkCapacity() throws IntakeException {
        long free;
        try {
            free = fileStore.getUsableSpace();
        } catch (IOException e) {
            throw new IntakeException(451, "4.3.0", "cannot check spool free space: " + e.getMessage(), e);
        }
        if (free < minFreeDisk) {
            LOG.warn("refusing mail: {} bytes free in {}, below spool.min-free-disk {}", free, journalDir,
                    minFreeDisk);
            throw new IntakeException(452, "4.3.1", "Insufficient system storage");
        }
    }

    @Override
    public void enqueue(QueueId id, Envelope envelope, InputStream content) throws IntakeException {
        checkCapacity();
        Journal j = openJournal();
        if (locators.containsKey(id)) {
            throw new IntakeException(451, "4.3.0", "queue id " + id + " is already in use");
        }
        Located at = null;
        try {
            at = append(j, id, envelope, content);
            j.awaitDurable();
        } catch (IOException | RuntimeException e) {
            commitDelay.end();
            if (at != null) {
                forgetUnacknowledged(j, id, at);
            }
            if (e instanceof ContentRefusedException refused) {
                // The client's doing (refused data, a lost connection); the listener logs it, rate-limited.
                LOG.debug("message {} not spooled: {}", id, refused.getMessage());
                throw new IntakeException(451, "4.3.0", "message data refused: " + refused.getMessage(), e);
            }
            LOG.error("could not spool message {} in {} (check free space and permissions of spool.dir): {}",
                    id, directory, e.toString());
            throw new IntakeException(451, "4.3.0", "Local error in processing: spool write failed", e);
        }
        locators.put(id, at);
        index.put(id, envelope.receivedAt(), MessageState.initial(envelope.recipients().size(),
                envelope.receivedAt()));
    }

    private Journal openJournal() {
        Journal j = journal;
        if (j == null) {
            throw new IllegalStateException("the spool is not recovered yet");
        }
        return j;
    }

    /**
     * Appends the MESSAGE record of a new message (not yet durable). Up to {@link #LARGE} bytes of content go
     * into the record; more, and the content is streamed into {@code large/<id>} and forced, and the record
     * only refers to it (the commit syncs {@code large/} before the segment, so the file's name is durable
     * before the record that names it).
     */
    Located append(Journal j, QueueId id, Envelope envelope, InputStream content) throws IOException {
        byte[] env = SpoolJson.MAPPER.writeValueAsBytes(envelope);
        byte[] head = content.readNBytes(LARGE + 1);
        CRC32 crc = new CRC32();
        crc.update(head);
        byte[] record;
        if (head.length <= LARGE) {
            record = JournalRecord.message(id, env, false, head.length, crc.getValue(), head, head.length);
        } else {
            long length = writeLarge(j, id, head, content, crc);
            record = JournalRecord.message(id, env, true, length, crc.getValue(), head, 0);
        }
        // The whole message is read: this intake will join the next commit within moments, so a commit that
        // starts now may wait for it (a client still sending its DATA is not counted: it could take minutes).
        commitDelay.begin();
        return Located.of(j.append(record, true), record, envelope.recipients().size());
    }

    private long writeLarge(Journal j, QueueId id, byte[] head, InputStream rest, CRC32 crc) throws IOException {
        Path tmp = largeDir.resolve(id.value() + ".tmp");
        long length = head.length;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OwnerGroupFiles.restrictFile(tmp);
                DurableFiles.writeFully(ch, ByteBuffer.wrap(head));
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = rest.read(buf)) >= 0; ) {
                    DurableFiles.writeFully(ch, ByteBuffer.wrap(buf, 0, n));
                    crc.update(buf, 0, n);
                    length += n;
                }
                j.force(ch);
            }
            Files.move(tmp, largeDir.resolve(id.value()), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
        j.directoryChanged(largeDir);
        return length;
    }

    /** A message whose commit failed: the client gets 451, so it must not come back at the next start. */
    private void forgetUnacknowledged(Journal j, QueueId id, Located at) {
        j.unref(at.segment(), at.recordLength());
        try {
            j.append(JournalRecord.removed(id), false);
            j.requestCommit();
        } catch (IOException e) {
            LOG.warn("could not record that message {} was refused; it may be delivered after a restart: {}",
                    id, e.toString());
        }
        if (at.external()) {
            deleteQuietly(largeDir.resolve(id.value()));
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("could not delete {} (recovery will): {}", p, e.toString());
        }
    }

    @Override
    public List<StoredMessage> leaseDue(Instant now, int max) {
        List<StoredMessage> out = new ArrayList<>();
        for (QueueId id : index.leaseDue(now, max)) {
            try {
                Optional<StoredMessage> m = loadLeased(id);
                if (m.isPresent()) {
                    out.add(m.get());
                } else {
                    index.release(id); // an admin deleted it just now
                }
            } catch (IOException e) {
                LOG.error("cannot read queued message {}; it stays queued and is retried at the next start: {}",
                        id, e.toString());
            }
        }
        return out;
    }

    /** Loads a message just leased and keeps its envelope for the lease. */
    private Optional<StoredMessage> loadLeased(QueueId id) throws IOException {
        ReentrantLock lock = lockFor(id);
        lock.lock();
        try {
            Optional<StoredMessage> m = load(id);
            m.ifPresent(stored -> leasedEnvelopes.put(id, stored.envelope()));
            return m;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void releaseLease(QueueId id) {
        leasedEnvelopes.remove(id);
        index.release(id);
    }

    @Override
    public Optional<StoredMessage> load(QueueId id) throws IOException {
        // A segment may be deleted between looking up where the message is and reading it: then the
        // maintenance thread has moved it, and the next look-up finds the copy.
        for (int attempt = 0; ; attempt++) {
            Located at = locators.get(id);
            if (at == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(read(id, at));
            } catch (NoSuchFileException e) {
                if (attempt >= 3) {
                    throw e;
                }
            }
        }
    }

    private StoredMessage read(QueueId id, Located at) throws IOException {
        Envelope env = leasedEnvelopes.get(id);
        if (env == null) {
            env = readEnvelope(id, at);
        }
        MessageState state = at.state() == null
                ? MessageState.initial(env.recipients().size(), env.receivedAt())
                : at.state().value();
        return new StoredMessage(id, env, at.contentLength(), state);
    }

    private Envelope readEnvelope(QueueId id, Located at) throws IOException {
        Journal j = openJournal();
        try {
            return SpoolJson.MAPPER.readValue(readBytes(j, at.segment(), at.envelopeOffset(),
                    at.envelopeLength()), Envelope.class);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CorruptEntryException(id + ": unreadable envelope: " + e.getMessage());
        }
    }

    private static byte[] readBytes(Journal j, long segment, long offset, int length) throws IOException {
        SegmentReader reader = j.reader(segment);
        reader.acquire();
        try {
            return reader.readFully(offset, length);
        } finally {
            reader.release();
        }
    }

    @Override
    public MessageContent content(QueueId id) {
        Located at = locators.get(id);
        if (at == null) {
            throw new UncheckedIOException(new NoSuchFileException(id + " is not queued"));
        }
        long size = at.contentLength();
        return new MessageContent() {
            @Override
            public InputStream open() throws IOException {
                return openContent(id);
            }

            @Override
            public long size() {
                return size;
            }
        };
    }

    private InputStream openContent(QueueId id) throws IOException {
        Journal j = openJournal();
        for (int attempt = 0; ; attempt++) {
            Located at = locators.get(id);
            if (at == null) {
                throw new NoSuchFileException(id + " is no longer queued");
            }
            if (at.external()) {
                return new LimitedInputStream(Files.newInputStream(largeDir.resolve(id.value())),
                        at.contentLength());
            }
            try {
                return new SegmentInputStream(j.reader(at.segment()), at.contentOffset(), at.contentLength());
            } catch (NoSuchFileException e) {
                if (attempt >= 3) {
                    throw e;
                }
                // moved forward by the maintenance thread; the look-up finds the copy
            }
        }
    }

    @Override
    public Optional<MessageState> update(QueueId id, StateChange change) throws IOException {
        return change(id, change, false);
    }

    @Override
    public Optional<MessageState> updateOrRemove(QueueId id, StateChange change) throws IOException {
        return change(id, change, true);
    }

    private Optional<MessageState> change(QueueId id, StateChange change, boolean removeWhenDone)
            throws IOException {
        ReentrantLock lock = lockFor(id);
        lock.lock();
        try {
            Located at = locators.get(id);
            if (at == null) {
                return Optional.empty();
            }
            MessageState next = change.apply(read(id, at));
            if (removeWhenDone && next.isDone()) {
                removeLocked(id, at, false);
            } else {
                writeState(id, at, next);
                index.update(id, next);
            }
            return Optional.of(next);
        } finally {
            lock.unlock();
        }
    }

    /** Appends a STATE record and waits for its commit; the caller holds the message's lock. */
    private void writeState(QueueId id, Located at, MessageState state) throws IOException {
        Journal j = openJournal();
        byte[] record = JournalRecord.state(id, SpoolJson.MAPPER.writeValueAsBytes(state));
        Journal.Position pos = j.append(record, true);
        try {
            j.awaitDurable();
        } catch (IOException e) {
            j.unref(pos.segment(), record.length);
            throw e;
        }
        locators.put(id, at.withState(Located.state(pos, id, record.length, state)));
        dropState(j, at);
    }

    private static void dropState(Journal j, Located at) {
        if (at.state() != null) {
            j.unref(at.state().segment(), at.state().recordLength());
        }
    }

    @Override
    public boolean remove(QueueId id) throws IOException {
        ReentrantLock lock = lockFor(id);
        lock.lock();
        try {
            Located at = locators.get(id);
            if (at == null) {
                return false;
            }
            removeLocked(id, at, false);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends a REMOVED record. Without {@code durable} it does not wait for the commit: a crash before the next
     * one brings the message back with its last durable state and it is delivered again (at least once), the
     * same outcome as a crash between the remote server's 250 and the state write. A large message's file is
     * deleted only once the removal is durable, so a message that comes back still has its content.
     */
    private void removeLocked(QueueId id, Located at, boolean durable) throws IOException {
        Journal j = openJournal();
        j.append(JournalRecord.removed(id), false);
        locators.remove(id);
        leasedEnvelopes.remove(id);
        index.remove(id);
        j.unref(at.segment(), at.recordLength());
        dropState(j, at);
        if (durable || at.external()) {
            j.awaitDurable();
            if (at.external()) {
                Files.deleteIfExists(largeDir.resolve(id.value()));
            }
        } else {
            j.requestCommit();
        }
    }

    private ReentrantLock lockFor(QueueId id) {
        return locks[Math.floorMod(id.hashCode(), locks.length)];
    }

    @Override
    public List<QueueId> ids(int limit) {
        return index.ids(limit);
    }

    @Override
    public int size() {
        return index.size();
    }

    @Override
    public Optional<Instant> oldestReceived() {
        return index.oldestReceived();
    }

    private void scheduleMaintenance() {
        try {
            maintenance.execute(this::maintain);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the store is closing; the next start compacts
        }
    }

    /**
     * Deletes finished segments, then, while the journal is more than twice its live records plus two
     * segments, copies the live messages of the oldest segment forward and deletes it. Runs on the
     * maintenance thread.
     */
    private void maintain() {
        Journal j = journal;
        try {
            j.deleteFinishedPrefix();
            for (int budget = j.sealed().size(); budget > 0 && wasteful(j); budget--) {
                new JournalCompaction(j, this).compact(j.sealed().get(0));
                j.deleteFinishedPrefix();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("spool maintenance of {} failed; it is tried again at the next segment: {}", journalDir,
                    e.toString());
        }
    }

    private boolean wasteful(Journal j) {
        return !j.sealed().isEmpty() && j.totalBytes() > 2 * j.liveBytes() + 2 * segmentSize;
    }

    /** For {@link JournalCompaction}: the messages with a record in segment {@code seq}. */
    List<QueueId> referencing(long seq) {
        List<QueueId> out = new ArrayList<>();
        locators.forEach((id, at) -> {
            if (at.refersTo(seq)) {
                out.add(id);
            }
        });
        return out;
    }

    ReentrantLock lock(QueueId id) {
        return lockFor(id);
    }

    Located located(QueueId id) {
        return locators.get(id);
    }

    void relocate(QueueId id, Located at) {
        locators.put(id, at);
    }

    static byte[] bytesAt(Journal j, long segment, long offset, int length) throws IOException {
        return readBytes(j, segment, offset, length);
    }

    @Override
    public void close() {
        maintenance.shutdown();
        try {
            maintenance.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Journal j = journal;
        if (j != null) {
            j.close();
        }
        try {
            spoolLock.close();
        } catch (IOException e) {
            LOG.warn("could not release the lock of the spool directory: {}", e.toString());
        }
    }

    /**
     * What the spool holds, after {@link #recover()}. For moving a stopped node's spool elsewhere
     * (SpoolMigration).
     *
     * @param messages ids of the queued messages
     * @param quarantined entries a recovery set aside for an operator
     * @param incompleteWrites writes never acknowledged that the recovery dropped
     */
    public record Inventory(List<QueueId> messages, List<Path> quarantined, int incompleteWrites) {
    }

    /** Lists the recovered spool; see {@link Inventory}. */
    public Inventory inventory() throws IOException {
        List<QueueId> messages = new ArrayList<>(locators.keySet());
        messages.sort(null);
        List<Path> aside = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(quarantineDir)) {
            dir.forEach(aside::add);
        }
        aside.sort(null);
        return new Inventory(messages, aside, incompleteWrites);
    }

    /**
     * Reads a queued message. Throws {@link NoSuchFileException} when it is gone and a
     * {@code CorruptEntryException} (an {@link IOException}) when it cannot be read back as written.
     */
    public StoredMessage readEntry(QueueId id) throws IOException {
        return load(id).orElseThrow(() -> new NoSuchFileException(id + " is not queued"));
    }

    /**
     * The content of an entry, as {@link #content} but checked against the checksum recorded when it was
     * accepted when the stream reaches its end: a corrupt body fails the read instead of being passed on.
     */
    public InputStream openVerifiedContent(QueueId id) throws IOException {
        Located at = locators.get(id);
        if (at == null) {
            throw new NoSuchFileException(id + " is not queued");
        }
        return new ChecksumCheckingInputStream(openContent(id), at.contentCrc(),
                id + ": content checksum mismatch");
    }

    /**
     * Removes an entry and waits until the removal is durable: a caller that has moved the message elsewhere
     * must not see it come back after a power loss.
     */
    public void removeEntry(QueueId id) throws IOException {
        ReentrantLock lock = lockFor(id);
        lock.lock();
        try {
            Located at = locators.get(id);
            if (at != null) {
                removeLocked(id, at, true);
            }
        } finally {
            lock.unlock();
        }
    }

    /** For {@link LegacySpool}: appends a message and its state, not yet durable; {@link #commitImported} follows. */
    void importMessage(QueueId id, Envelope envelope, InputStream content, MessageState state) throws IOException {
        Journal j = openJournal();
        Located at = append(j, id, envelope, content);
        if (state != null) {
            byte[] record = JournalRecord.state(id, SpoolJson.MAPPER.writeValueAsBytes(state));
            at = at.withState(Located.state(j.append(record, true), id, record.length, state));
        }
        locators.put(id, at);
        index.put(id, envelope.receivedAt(), state != null ? state
                : MessageState.initial(envelope.recipients().size(), envelope.receivedAt()));
    }

    void commitImported() throws IOException {
        openJournal().awaitDurable();
    }

    boolean contains(QueueId id) {
        return locators.containsKey(id);
    }
}
