package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.QueueId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up migration of a spool of format version 1 (one file per message: {@code queue/<id>.msg} in the
 * {@link SpoolFile} layout, {@code queue/<id>.st} its state JSON, {@code tmp/} unfinished writes) into the
 * journal. Every message is appended with its state, then one commit makes them durable, and only then are
 * the old files deleted (then {@code queue/} and {@code tmp/}). A crash at any point leaves each message in
 * the old files, in the journal, or in both; the next start skips those already in the journal, so nothing is
 * lost and nothing is queued twice. Entries that do not read are moved to {@code quarantine/} as version 1
 * recovery did. Not thread-safe: part of recovery.
 */
final class LegacySpool {

    private static final Logger LOG = LoggerFactory.getLogger(FileQueueStore.class);
    private static final String MSG = ".msg";
    private static final String STATE = ".st";

    record Migrated(int messages, int incompleteWrites, int quarantined) {
    }

    private final Path queueDir;
    private final Path tmpDir;
    private final Path quarantineDir;
    private final Clock clock;

    LegacySpool(Path spoolDir, Path quarantineDir, Clock clock) {
        this.queueDir = spoolDir.resolve("queue");
        this.tmpDir = spoolDir.resolve("tmp");
        this.quarantineDir = quarantineDir;
        this.clock = clock;
    }

    Migrated migrateInto(FileQueueStore store) throws IOException {
        List<QueueId> imported = new ArrayList<>();
        int quarantined = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(queueDir, p -> !isState(p))) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                Optional<QueueId> id = name.endsWith(MSG) ? parseId(stem(name)) : Optional.empty();
                if (id.isEmpty()) {
                    quarantine(p, "not a spool file name");
                    quarantined++;
                } else if (!store.contains(id.get())) {
                    try {
                        importOne(store, id.get(), p);
                        imported.add(id.get());
                    } catch (CorruptEntryException e) {
                        quarantine(p, e.getMessage());
                        Path st = queueDir.resolve(id.get() + STATE);
                        if (Files.exists(st)) {
                            quarantine(st, "state of a quarantined message");
                        }
                        quarantined++;
                    }
                }
            }
        }
        store.commitImported();
        // Durable in the journal: the old files can go (a crash before this is redone by the next start).
        int incomplete = deleteAll(tmpDir);
        deleteAll(queueDir);
        Files.deleteIfExists(queueDir);
        Files.deleteIfExists(tmpDir);
        LOG.info("spool format 1 migrated to the journal: {} messages moved from {}, {} quarantined", imported.size(),
                queueDir, quarantined);
        return new Migrated(imported.size(), incomplete, quarantined);
    }

    private void importOne(FileQueueStore store, QueueId id, Path file) throws IOException {
        SpoolFile.Layout layout = SpoolFile.read(file);
        MessageState state = null;
        Path st = queueDir.resolve(id + STATE);
        if (Files.exists(st)) {
            try {
                state = SpoolJson.MAPPER.readValue(st.toFile(), MessageState.class);
            } catch (IOException | RuntimeException e) {
                throw new CorruptEntryException(st + ": unreadable state: " + e.getMessage());
            }
            if (state.recipients().size() != layout.envelope().recipients().size()) {
                throw new CorruptEntryException(st + ": state does not match the envelope's recipients");
            }
        }
        if (state != null && state.isDone()) {
            return; // finished, its removal interrupted
        }
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(layout.contentOffset());
            store.importMessage(id, layout.envelope(), new LimitedInputStream(in, layout.contentLength()), state);
        }
    }

    private static int deleteAll(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                Files.deleteIfExists(p);
                n++;
            }
        }
        return n;
    }

    private void quarantine(Path p, String reason) throws IOException {
        JournalRecovery.moveToQuarantine(p, quarantineDir, clock, reason);
    }

    private static boolean isState(Path p) {
        return p.getFileName().toString().endsWith(STATE);
    }

    private static String stem(String name) {
        return name.substring(0, name.lastIndexOf('.'));
    }

    private static Optional<QueueId> parseId(String s) {
        try {
            return Optional.of(new QueueId(s));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
