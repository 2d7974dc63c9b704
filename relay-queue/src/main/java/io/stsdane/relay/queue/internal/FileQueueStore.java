package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.queue.ContentRefusedException;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.util.OwnerGroupFiles;
import io.stsdane.relay.queue.RecoveryReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue on the local file system (see docs/queue.md for the format).
 *
 * <pre>
 *   spool.dir/queue/&lt;id&gt;.msg   envelope + content, written once (temp file, fsync, rename, dir fsync)
 *   spool.dir/queue/&lt;id&gt;.st    recipient state, replaced the same way; absent = nothing tried yet
 *   spool.dir/tmp/                 writes in progress; emptied at start-up
 *   spool.dir/quarantine/          corrupt entries, moved aside for an operator
 *   spool.dir/lock                 locked while a store is open on the directory ({@link SpoolLock})
 * </pre>
 *
 * Thread-safe: writes of different messages run in parallel and share directory fsyncs
 * ({@link GroupCommitter}); read-modify-write of one message is serialised by a striped lock.
 */
public final class FileQueueStore implements QueueStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileQueueStore.class);
    private static final String MSG = ".msg";
    private static final String STATE = ".st";

    private final Path queueDir;
    private final Path tmpDir;
    private final Path quarantineDir;
    private final long minFreeDisk;
    private final Clock clock;
    private final GroupCommitter committer;
    private final ScheduleIndex index = new ScheduleIndex();
    private final ReentrantLock[] locks = new ReentrantLock[64];
    private final SpoolLock spoolLock;

    /** Takes the directory's {@link SpoolLock}: fails when another process (or store) has the spool open. */
    public FileQueueStore(Path directory, long minFreeDisk, Clock clock, GroupCommitter.DirectorySync sync)
            throws IOException {
        OwnerGroupFiles.createDirectories(directory);
        this.spoolLock = SpoolLock.acquire(directory);
        this.queueDir = OwnerGroupFiles.createDirectories(directory.resolve("queue"));
        this.tmpDir = OwnerGroupFiles.createDirectories(directory.resolve("tmp"));
        this.quarantineDir = OwnerGroupFiles.createDirectories(directory.resolve("quarantine"));
        this.minFreeDisk = minFreeDisk;
        this.clock = clock;
        this.committer = new GroupCommitter(queueDir, sync);
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** Directory fsyncs so far: with group commit, fewer than the messages written concurrently. */
    public long directorySyncs() {
        return committer.syncCount();
    }

    @Override
    public RecoveryReport recover() throws IOException {
        int dropped = 0;
        try (DirectoryStream<Path> tmp = Files.newDirectoryStream(tmpDir)) {
            for (Path p : tmp) {
                // Never renamed into queue/, so never acknowledged: the client got no 250 for it.
                Files.deleteIfExists(p);
                dropped++;
            }
        }
        int recovered = 0;
        int quarantined = 0;
        int orphans = 0;
        // Messages first: a state file is only an orphan once its message is known to be gone (and a
        // quarantined message takes its state file along).
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(queueDir, p -> !isState(p))) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                QueueId id = name.endsWith(MSG) ? parseId(stem(name)) : null;
                if (id == null) {
                    quarantine(p, "not a spool file name");
                    quarantined++;
                } else {
                    switch (recoverMessage(id, p)) {
                        case QUEUED -> recovered++;
                        case QUARANTINED -> quarantined++;
                        case FINISHED -> { }
                    }
                }
            }
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(queueDir, FileQueueStore::isState)) {
            for (Path p : dir) {
                if (!Files.exists(queueDir.resolve(stem(p.getFileName().toString()) + MSG))) {
                    // remove() deletes the message first; a crash before the state went leaves this.
                    LOG.info("spool recovery: removing state file {} of a message that was already removed", p);
                    Files.deleteIfExists(p);
                    orphans++;
                }
            }
        }
        RecoveryReport report = new RecoveryReport(recovered, dropped, quarantined, orphans);
        LOG.info("spool recovery of {}: {} messages queued, {} incomplete writes dropped, {} entries quarantined "
                + "in {}, {} orphan state files removed", queueDir.getParent(), recovered, dropped, quarantined,
                quarantineDir, orphans);
        return report;
    }

    private enum Recovered { QUEUED, FINISHED, QUARANTINED }

    private Recovered recoverMessage(QueueId id, Path file) throws IOException {
        try {
            StoredMessage m = read(id);
            if (m.state().isDone()) {
                // Finished, but a crash came before remove(): nothing is left to do for it.
                removeFiles(id);
                return Recovered.FINISHED;
            }
            index.put(id, m.envelope().receivedAt(), m.state());
            return Recovered.QUEUED;
        } catch (CorruptEntryException e) {
            quarantine(file, e.getMessage());
            Path st = queueDir.resolve(id + STATE);
            if (Files.exists(st)) {
                quarantine(st, "state of a quarantined message");
            }
            return Recovered.QUARANTINED;
        }
    }

    private static boolean isState(Path p) {
        return p.getFileName().toString().endsWith(STATE);
    }

    private static String stem(String name) {
        return name.substring(0, name.lastIndexOf('.'));
    }

    private static QueueId parseId(String s) {
        try {
            return new QueueId(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void quarantine(Path p, String reason) throws IOException {
        Path target = quarantineDir.resolve(p.getFileName() + "." + clock.millis());
        Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
        LOG.warn("spool recovery: corrupt entry {} moved to {} ({}); inspect it and re-inject or delete it",
                p, target, reason);
    }

    @Override
    public void checkCapacity() throws IntakeException {
        long free;
        try {
            free = Files.getFileStore(queueDir).getUsableSpace();
        } catch (IOException e) {
            throw new IntakeException(451, "4.3.0", "cannot check spool free space: " + e.getMessage(), e);
        }
        if (free < minFreeDisk) {
            LOG.warn("refusing mail: {} bytes free in {}, below spool.min-free-disk {}", free, queueDir, minFreeDisk);
            throw new IntakeException(452, "4.3.1", "Insufficient system storage");
        }
    }

    @Override
    public void enqueue(QueueId id, Envelope envelope, InputStream content) throws IntakeException {
        checkCapacity();
        Path target = queueDir.resolve(id + MSG);
        if (index.contains(id) || Files.exists(target)) {
            throw new IntakeException(451, "4.3.0", "queue id " + id + " is already in use");
        }
        Path tmp = tmpDir.resolve(id + MSG + "." + UUID.randomUUID());
        boolean renamed = false;
        try {
            try (FileChannel ch = create(tmp)) {
                SpoolFile.write(ch, envelope, content);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
            committer.awaitDurable();
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            if (renamed) {
                deleteQuietly(target);
            }
            if (e instanceof ContentRefusedException refused) {
                // The client's doing (refused data, a lost connection); the listener logs it, rate-limited.
                LOG.debug("message {} not spooled: {}", id, refused.getMessage());
                throw new IntakeException(451, "4.3.0", "message data refused: " + refused.getMessage(), e);
            }
            LOG.error("could not spool message {} in {} (check free space and permissions of spool.dir): {}",
                    id, queueDir, e.toString());
            throw new IntakeException(451, "4.3.0", "Local error in processing: spool write failed", e);
        }
        index.put(id, envelope.receivedAt(), MessageState.initial(envelope.recipients().size(),
                envelope.receivedAt()));
    }

    /** A new spool file, 0640 before anything is written to it ({@link OwnerGroupFiles}). */
    private static FileChannel create(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            OwnerGroupFiles.restrictFile(file);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return ch;
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
                out.add(read(id));
            } catch (NoSuchFileException e) {
                index.release(id); // an admin deleted it just now
            } catch (IOException e) {
                LOG.error("cannot read queued message {}; it stays queued and is retried at the next start: {}",
                        id, e.toString());
            }
        }
        return out;
    }

    @Override
    public void releaseLease(QueueId id) {
        index.release(id);
    }

    @Override
    public Optional<StoredMessage> load(QueueId id) throws IOException {
        if (!index.contains(id)) {
            return Optional.empty();
        }
        try {
            return Optional.of(read(id));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private StoredMessage read(QueueId id) throws IOException {
        SpoolFile.Layout layout = SpoolFile.read(queueDir.resolve(id + MSG));
        Envelope env = layout.envelope();
        Path st = queueDir.resolve(id + STATE);
        MessageState state;
        if (Files.exists(st)) {
            try {
                state = SpoolJson.MAPPER.readValue(st.toFile(), MessageState.class);
            } catch (IOException | RuntimeException e) {
                throw new CorruptEntryException(st + ": unreadable state: " + e.getMessage());
            }
            if (state.recipients().size() != env.recipients().size()) {
                throw new CorruptEntryException(st + ": state does not match the envelope's recipients");
            }
        } else {
            state = MessageState.initial(env.recipients().size(), env.receivedAt());
        }
        return new StoredMessage(id, env, layout.contentLength(), state);
    }

    @Override
    public MessageContent content(QueueId id) {
        Path file = queueDir.resolve(id + MSG);
        SpoolFile.Layout layout;
        try {
            layout = SpoolFile.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new MessageContent() {
            @Override
            public InputStream open() throws IOException {
                InputStream in = Files.newInputStream(file);
                try {
                    in.skipNBytes(layout.contentOffset());
                } catch (IOException e) {
                    in.close();
                    throw e;
                }
                return new LimitedInputStream(in, layout.contentLength());
            }

            @Override
            public long size() {
                return layout.contentLength();
            }
        };
    }

    @Override
    public Optional<MessageState> update(QueueId id, StateChange change) throws IOException {
        return change(id, change, false);
    }

    @Override
    public Optional<MessageState> updateOrRemove(QueueId id, StateChange change) throws IOException {
        return change(id, change, true);
    }

    private Optional<MessageState> change(QueueId id, StateChange change, boolean removeWhenDone) throws IOException {
        ReentrantLock lock = lockFor(id);
        lock.lock();
        try {
            Optional<StoredMessage> current = load(id);
            if (current.isEmpty()) {
                return Optional.empty();
            }
            MessageState next = change.apply(current.get());
            if (removeWhenDone && next.isDone()) {
                index.remove(id);
                removeFiles(id);
            } else {
                writeState(id, next);
                index.update(id, next);
            }
            return Optional.of(next);
        } finally {
            lock.unlock();
        }
    }

    private void writeState(QueueId id, MessageState state) throws IOException {
        Path tmp = tmpDir.resolve(id + STATE + "." + UUID.randomUUID());
        try {
            try (FileChannel ch = create(tmp)) {
                ch.write(ByteBuffer.wrap(SpoolJson.MAPPER.writeValueAsBytes(state)));
                ch.force(true);
            }
            Files.move(tmp, queueDir.resolve(id + STATE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw e;
        }
        committer.awaitDurable();
    }

    @Override
    public boolean remove(QueueId id) throws IOException {
        ReentrantLock lock = lockFor(id);
        lock.lock();
        try {
            if (!index.remove(id)) {
                return false;
            }
            removeFiles(id);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Message first: a crash in between leaves an orphan state file, which recovery removes. */
    private void removeFiles(QueueId id) throws IOException {
        Files.deleteIfExists(queueDir.resolve(id + MSG));
        Files.deleteIfExists(queueDir.resolve(id + STATE));
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

    @Override
    public void close() {
        committer.close();
        try {
            spoolLock.close();
        } catch (IOException e) {
            LOG.warn("could not release the lock of the spool directory: {}", e.toString());
        }
    }

    /**
     * What the spool directories hold, read without changing anything and without the index
     * ({@link #recover()} is the read-write counterpart that cleans up). For moving a stopped node's spool
     * elsewhere (SpoolMigration).
     *
     * @param messages ids of the {@code <id>.msg} files in {@code queue/}
     * @param unrecognised files in {@code queue/} that are neither a message nor a state file
     * @param quarantined entries an earlier recovery moved aside for an operator
     * @param incompleteWrites files in {@code tmp/}: writes never acknowledged, which recovery drops
     */
    public record Inventory(List<QueueId> messages, List<Path> unrecognised, List<Path> quarantined,
            int incompleteWrites) {
    }

    /** Lists the spool as it is on disk; see {@link Inventory}. */
    public Inventory inventory() throws IOException {
        List<QueueId> messages = new ArrayList<>();
        List<Path> unrecognised = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(queueDir, p -> !isState(p))) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                QueueId id = name.endsWith(MSG) ? parseId(stem(name)) : null;
                if (id == null) {
                    unrecognised.add(p);
                } else {
                    messages.add(id);
                }
            }
        }
        List<Path> quarantined = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(quarantineDir)) {
            dir.forEach(quarantined::add);
        }
        int incomplete = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tmpDir)) {
            for (Path ignored : dir) {
                incomplete++;
            }
        }
        messages.sort(null);
        return new Inventory(messages, unrecognised, quarantined, incomplete);
    }

    /**
     * Reads an entry straight from disk, whether or not the index knows it (the spool of a stopped node).
     * Throws {@link NoSuchFileException} when it is gone and a {@code CorruptEntryException} (an
     * {@link IOException}) when it cannot be read back as written.
     */
    public StoredMessage readEntry(QueueId id) throws IOException {
        return read(id);
    }

    /**
     * The content of an entry, as {@link #content} but checked against the checksum in the file's trailer
     * when the stream reaches its end: a corrupt body fails the read instead of being passed on as intact.
     */
    public InputStream openVerifiedContent(QueueId id) throws IOException {
        Path file = queueDir.resolve(id + MSG);
        SpoolFile.Layout layout = SpoolFile.read(file);
        return new ChecksumCheckingInputStream(content(id).open(), layout.contentCrc(),
                file + ": content checksum mismatch");
    }

    /**
     * Removes an entry the index may not know (the spool of a stopped node) the same way {@link #remove}
     * does, then waits until the removal is durable: a caller that has moved the message elsewhere must not
     * see it come back after a power loss.
     */
    public void removeEntry(QueueId id) throws IOException {
        ReentrantLock lock = lockFor(id);
        lock.lock();
        try {
            index.remove(id);
            removeFiles(id);
        } finally {
            lock.unlock();
        }
        committer.awaitDurable();
    }
}
