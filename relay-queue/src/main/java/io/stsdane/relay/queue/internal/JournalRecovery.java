package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.util.DurableFiles;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up replay of the journal: reads every segment in order, checks each record's frame and checksum, and
 * rebuilds where every queued message lies ({@link Located}) and its schedule ({@link ScheduleIndex}); a later
 * record of a message wins, a REMOVED record or a finished state drops it. Only the small index entries and
 * the latest states stay in memory: envelopes are parsed one at a time and let go.
 *
 * <p>A record that runs past the end of the last segment is the tail of an append a crash cut short (never
 * acknowledged: the 250 follows the commit): the tail is cut off. Anything else that does not read (a bad
 * checksum or length, a segment without the header, an envelope or state that does not parse, a large
 * message's file that is missing or short) is copied to {@code quarantine/} with a WARN line saying why, and
 * the relay starts without it. Not thread-safe: runs once, before the store takes mail.
 */
final class JournalRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(FileQueueStore.class);

    /** What the replay found. */
    record Result(TreeMap<Long, JournalSegment> segments, Map<QueueId, Located> live, int tornTails,
            int quarantined) {
    }

    private final Path journalDir;
    private final Path largeDir;
    private final Path quarantineDir;
    private final Clock clock;
    private final ScheduleIndex index;
    private final TreeMap<Long, JournalSegment> segments = new TreeMap<>();
    private final Map<QueueId, Located> live = new HashMap<>();
    private int torn;
    private int quarantined;

    JournalRecovery(Path journalDir, Path largeDir, Path quarantineDir, Clock clock, ScheduleIndex index) {
        this.journalDir = journalDir;
        this.largeDir = largeDir;
        this.quarantineDir = quarantineDir;
        this.clock = clock;
        this.index = index;
    }

    Result run() throws IOException {
        TreeMap<Long, Path> files = new TreeMap<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(journalDir)) {
            for (Path p : dir) {
                var seq = JournalSegment.seqOf(p);
                if (seq.isPresent()) {
                    files.put(seq.get(), p);
                } else {
                    quarantineFile(p, "not a journal segment name");
                }
            }
        }
        for (Map.Entry<Long, Path> f : files.entrySet()) {
            replay(f.getKey(), f.getValue(), f.getKey().equals(files.lastKey()));
        }
        for (Map.Entry<QueueId, Located> e : List.copyOf(live.entrySet())) {
            checkLargeFile(e.getKey(), e.getValue());
        }
        for (Map.Entry<QueueId, Located> e : live.entrySet()) {
            Located l = e.getValue();
            segments.get(l.segment()).ref(l.recordLength());
            if (l.state() != null) {
                segments.get(l.state().segment()).ref(l.state().recordLength());
            }
        }
        return new Result(segments, live, torn, quarantined);
    }

    private void replay(long seq, Path file, boolean last) throws IOException {
        long size = Files.size(file);
        if (last && size < JournalSegment.HEADER) {
            // The newest segment, caught by a crash between its creation and its header: nothing was appended.
            LOG.warn("spool recovery: removed {} ({} bytes): a segment a crash interrupted while it was being "
                    + "created (never written to)", file, size);
            Files.delete(file);
            torn++;
            return;
        }
        try (InputStream raw = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 20))) {
            byte[] magic = new byte[JournalSegment.HEADER];
            if (size < JournalSegment.HEADER || in.read(magic) != magic.length
                    || !Arrays.equals(magic, 0, 4, JournalSegment.MAGIC, 0, 4)) {
                in.close();
                quarantineFile(file, "no journal segment header");
                return;
            }
            if (magic[4] != JournalSegment.VERSION) {
                throw new IOException(file + " is a version " + magic[4] + " spool journal segment; this relay "
                        + "reads version " + JournalSegment.VERSION + ": run the relay version that wrote it");
            }
            long pos = JournalSegment.HEADER;
            byte[] frame = new byte[JournalRecord.FRAME];
            while (pos < size) {
                String problem;
                long length = -1;
                if (size - pos < JournalRecord.FRAME) {
                    problem = null;
                } else {
                    in.readFully(frame);
                    length = JournalRecord.bodyLength(frame);
                    problem = length < 0 ? "impossible record length" : null;
                }
                if (problem == null && (length < 0 || pos + JournalRecord.FRAME + length > size)) {
                    // Runs past the end: the tail of an append a crash cut short.
                    if (last) {
                        cut(file, pos, size);
                        size = pos;
                        break;
                    }
                    problem = "record runs past the end of a sealed segment";
                }
                if (problem != null) {
                    in.close();
                    quarantineRest(file, pos, size, problem);
                    size = pos;
                    break;
                }
                byte[] body = new byte[(int) length];
                in.readFully(body);
                JournalRecord record;
                try {
                    record = JournalRecord.decode(frame, body);
                } catch (CorruptEntryException e) {
                    // The frame fits, so the records after it can still be found: set aside only this one.
                    quarantineBytes(file, pos, frame, body, e.getMessage());
                    pos += JournalRecord.FRAME + length;
                    continue;
                }
                apply(seq, file, pos, record);
                pos += JournalRecord.FRAME + length;
            }
        } catch (EOFException e) {
            throw new IOException(file + " changed while it was being replayed", e);
        }
        segments.put(seq, JournalSegment.sealed(file, seq, size));
    }

    private void apply(long seq, Path file, long pos, JournalRecord r) throws IOException {
        Journal.Position at = new Journal.Position(seq, pos);
        long recordLength = JournalRecord.FRAME + (long) r.body().length;
        switch (r.type()) {
            case MESSAGE -> {
                Envelope env;
                JournalRecord.MessageLayout layout;
                try {
                    layout = r.messageLayout();
                    env = SpoolJson.MAPPER.readValue(r.body(), layout.envelopeOffset(), layout.envelopeLength(),
                            Envelope.class);
                } catch (IOException | RuntimeException e) {
                    quarantineRecord(file, pos, r, "unreadable message record: " + e.getMessage());
                    return;
                }
                Located message = Located.of(at, recordLength, layout, env.recipients().size());
                Located queued = live.get(r.id());
                if (queued != null) {
                    // A second MESSAGE record of a queued message is a compaction copy (ids are never reused).
                    // The copy's STATE record follows it; a crash between the two must not reset the state
                    // the message already has in an older segment.
                    live.put(r.id(), queued.state() == null ? message : message.withState(queued.state()));
                    return;
                }
                live.put(r.id(), message);
                index.put(r.id(), env.receivedAt(), MessageState.initial(env.recipients().size(),
                        env.receivedAt()));
            }
            case STATE -> {
                Located l = live.get(r.id());
                if (l == null) {
                    return; // of a message removed or quarantined before
                }
                MessageState state;
                try {
                    state = SpoolJson.MAPPER.readValue(r.body(), r.stateOffset(),
                            r.body().length - r.stateOffset(), MessageState.class);
                    if (state.recipients().size() != l.recipients()) {
                        throw new CorruptEntryException("state does not match the envelope's recipients");
                    }
                } catch (IOException | RuntimeException e) {
                    quarantineRecord(file, pos, r, "unreadable state of a queued message: " + e.getMessage());
                    live.remove(r.id());
                    index.remove(r.id());
                    return;
                }
                if (state.isDone()) {
                    // Finished, but a crash came before its removal: nothing is left to do for it.
                    live.remove(r.id());
                    index.remove(r.id());
                } else {
                    live.put(r.id(), l.withState(Located.state(at, r.id(), recordLength, state)));
                    index.update(r.id(), state);
                }
            }
            case REMOVED -> {
                live.remove(r.id());
                index.remove(r.id());
            }
        }
    }

    /** A large message whose own file is missing or short cannot be delivered: set aside, said so. */
    private void checkLargeFile(QueueId id, Located l) throws IOException {
        if (!l.external()) {
            return;
        }
        Path f = largeDir.resolve(id.value());
        if (!Files.isRegularFile(f) || Files.size(f) != l.contentLength()) {
            LOG.warn("spool recovery: message {} lost its content file {} (expected {} bytes); its envelope is "
                    + "in the journal, the message cannot be delivered and is dropped from the queue", id, f,
                    l.contentLength());
            if (Files.exists(f)) {
                quarantineFile(f, "content file of the wrong size");
            } else {
                quarantined++;
            }
            live.remove(id);
            index.remove(id);
        }
    }

    private void cut(Path file, long pos, long size) throws IOException {
        LOG.warn("spool recovery: cut {} bytes at offset {} of {}: the tail of a write a crash interrupted "
                + "(never acknowledged)", size - pos, pos, file);
        truncate(file, pos);
        torn++;
    }

    private void quarantineRest(Path file, long pos, long size, String problem) throws IOException {
        Path target = quarantineDir.resolve(file.getFileName() + "." + pos + "." + clock.millis());
        try (FileChannel src = FileChannel.open(file, StandardOpenOption.READ)) {
            DurableFiles.replace(target, ch -> {
                long n = pos;
                while (n < size) {
                    n += src.transferTo(n, size - n, ch);
                }
            });
        }
        truncate(file, pos);
        LOG.warn("spool recovery: {} at offset {} of {}; the {} bytes from there on are moved to {} and are not "
                + "queued: inspect them", problem, pos, file, size - pos, target);
        quarantined++;
    }

    private void quarantineBytes(Path file, long pos, byte[] frame, byte[] body, String problem) throws IOException {
        Path target = quarantineDir.resolve(file.getFileName() + "." + pos + "." + clock.millis());
        DurableFiles.replace(target, ch -> {
            DurableFiles.writeFully(ch, java.nio.ByteBuffer.wrap(frame));
            DurableFiles.writeFully(ch, java.nio.ByteBuffer.wrap(body));
        });
        LOG.warn("spool recovery: {} in the record at offset {} of {}; the record is copied to {} and skipped: "
                + "inspect it", problem, pos, file, target);
        quarantined++;
    }

    private void quarantineRecord(Path file, long pos, JournalRecord r, String problem) throws IOException {
        Path target = quarantineDir.resolve(r.id().value() + "." + r.type().name().toLowerCase(java.util.Locale.ROOT)
                + "." + clock.millis());
        DurableFiles.replace(target, r.body());
        LOG.warn("spool recovery: {} for {} at offset {} of {}; its record is copied to {}", problem, r.id(), pos,
                file, target);
        quarantined++;
    }

    private void quarantineFile(Path p, String reason) throws IOException {
        moveToQuarantine(p, quarantineDir, clock, reason);
        quarantined++;
    }

    /** Moves a whole file to {@code quarantine/<name>.<millis>}, with a WARN line saying why. */
    static void moveToQuarantine(Path p, Path quarantineDir, Clock clock, String reason) throws IOException {
        Path target = quarantineDir.resolve(p.getFileName() + "." + clock.millis());
        Files.move(p, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        LOG.warn("spool recovery: {} moved to {} ({}); inspect it", p, target, reason);
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
            ch.force(true);
        }
    }

    /** Large-message files no queued message refers to: left by a removal or an unacknowledged write. */
    static List<Path> orphanLargeFiles(Path largeDir, Map<QueueId, Located> live) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(largeDir)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                boolean referenced = false;
                try {
                    Located l = live.get(new QueueId(name));
                    referenced = l != null && l.external();
                } catch (IllegalArgumentException notAnId) {
                    // a .tmp leftover
                }
                if (!referenced) {
                    out.add(p);
                }
            }
        }
        return out;
    }
}
