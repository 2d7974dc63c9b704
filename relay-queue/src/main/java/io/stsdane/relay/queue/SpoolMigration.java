package io.stsdane.relay.queue;

import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.internal.FileQueueStore;
import io.stsdane.relay.queue.internal.PostgresQueueStore;
import io.stsdane.relay.queue.internal.SpoolSync;
import io.stsdane.relay.queue.internal.StoredMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the file spool of a stopped relay node into the PostgreSQL queue ({@code relay queue migrate}, see
 * docs/cluster.md). Every message keeps its queue id, envelope, per-recipient state and exact content.
 *
 * <p>Per message: one transaction inserts it into PostgreSQL and commits, then the file entry is removed
 * (durably), then the message is handed to the nodes. Until that hand-over the copy is leased by this
 * migration with no expiry, so no node delivers it while its file entry may still exist: a run that stops
 * anywhere leaves each message either in the file spool only, in both (not deliverable from PostgreSQL), or in
 * PostgreSQL only, and running the migration again finishes the job without a second copy and without a
 * second delivery. Corrupt entries are left where they are and reported.
 *
 * <p>The file spool is opened and replayed as a relay would (a torn tail is cut, unreadable records are
 * quarantined, a version 1 spool is first migrated to the journal), but without its scheduler: nothing in it
 * is delivered, and nothing changes except the removal of migrated entries. The spool's lock
 * ({@code spool.dir/lock}) is taken first, so the migration refuses to run while a relay still uses the spool.
 * Not thread-safe: run one migration per spool at a time.
 */
public final class SpoolMigration {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolMigration.class);

    private final FileQueueStore files;
    private final PostgresQueueStore target;
    private final boolean dryRun;
    /** Lease owner and {@code accepted_by} of the copies: names the source, for operators. */
    private final String holder;
    private final List<MigrationReport.LeftBehind> leftBehind = new ArrayList<>();
    private int migrated;
    private int alreadyPresent;
    private long bytes;

    private SpoolMigration(FileQueueStore files, PostgresQueueStore target, boolean dryRun, String holder) {
        this.files = files;
        this.target = target;
        this.dryRun = dryRun;
        this.holder = holder;
    }

    /**
     * Migrates (or with {@code dryRun} reads, checks and counts, writing nothing anywhere) the spool in
     * {@code fileSpoolDir} (the old node's {@code spool.dir}) into {@code target}. Throws when the spool or the
     * database cannot be used at all; problems with single entries are in the report.
     */
    public static MigrationReport migrate(Path fileSpoolDir, PostgresSpool target, boolean dryRun)
            throws IOException {
        requireSpool(fileSpoolDir);
        String holder = holderFor(fileSpoolDir);
        try (FileQueueStore files = new FileQueueStore(fileSpoolDir, 0, Clock.systemUTC(), SpoolSync.FSYNC);
                PostgresQueueStore pg = new PostgresQueueStore(target)) {
            return new SpoolMigration(files, pg, dryRun, holder).run();
        }
    }

    /**
     * Throws unless {@code fileSpoolDir} looks like a relay file spool (it has {@code journal/}, or the
     * {@code queue/} of format version 1, and
     * {@code quarantine/}). {@link #migrate} checks it first; a caller that prepares the target before (its
     * tables, the MTA-STS policies) checks it before that, so that a wrong directory leaves the database as it
     * was.
     */
    public static void requireSpool(Path fileSpoolDir) throws IOException {
        boolean journal = Files.isDirectory(fileSpoolDir.resolve("journal"));
        boolean version1 = Files.isDirectory(fileSpoolDir.resolve("queue"));
        if (!(journal || version1) || !Files.isDirectory(fileSpoolDir.resolve("quarantine"))) {
            throw new IOException(fileSpoolDir + " is not a relay file spool: it has no "
                    + (journal || version1 ? "quarantine/" : "journal/") + " directory (give the spool directory "
                    + "of the node the messages come from)");
        }
    }

    /**
     * Creates or upgrades the queue's tables in {@code target} (what {@link #migrate} does first), so that
     * other tables can be put beside them before any message moves: the queue's migrations must be the first
     * in a fresh schema.
     */
    public static void prepare(PostgresSpool target) throws IOException {
        try (PostgresQueueStore pg = new PostgresQueueStore(target)) {
            pg.recover();
        }
    }

    /** The lease owner of the copies made from {@code fileSpoolDir}: the same in every run over it. */
    static String holderFor(Path fileSpoolDir) throws IOException {
        return "spool-migration:" + fileSpoolDir.toRealPath();
    }

    private MigrationReport run() throws IOException {
        files.recover();
        FileQueueStore.Inventory inventory = files.inventory();
        boolean tables = dryRun ? target.tablesExist() : openTarget();
        int released = tables ? handOverEarlierCopies(inventory.messages()) : 0;
        for (QueueId id : inventory.messages()) {
            migrateOne(id, tables);
        }
        inventory.quarantined().forEach(p -> leave(p.toString(),
                "quarantined by an earlier recovery as corrupt; inspect it, re-inject or delete it"));
        MigrationReport report = new MigrationReport(dryRun, migrated, alreadyPresent, bytes, released,
                inventory.incompleteWrites(), leftBehind);
        LOG.info("spool migration{} by {}: {}", dryRun ? " (dry run)" : "", holder, report);
        return report;
    }

    private boolean openTarget() throws IOException {
        target.recover();
        return true;
    }

    /**
     * Copies an earlier run made whose file entry is gone (it stopped between the removal and the hand-over)
     * are handed to the nodes now; those whose entry is still there are handled with the entry.
     */
    private int handOverEarlierCopies(List<QueueId> inSpool) throws IOException {
        Set<QueueId> present = new HashSet<>(inSpool);
        int n = 0;
        for (QueueId id : target.importsHeldBy(holder)) {
            if (!present.contains(id)) {
                if (!dryRun) {
                    target.releaseImport(id, holder);
                }
                n++;
            }
        }
        return n;
    }

    private void migrateOne(QueueId id, boolean tables) {
        StoredMessage m;
        try {
            m = files.readEntry(id);
        } catch (NoSuchFileException gone) {
            leave(id.value(), "removed from the spool while the migration ran: is a relay still running on it?");
            return;
        } catch (IOException e) {
            leave(id.value(), "unreadable, left in place: " + e.getMessage());
            return;
        }
        try {
            Optional<StoredMessage> existing = dryRun ? check(m, tables) : copy(m);
            if (existing.isPresent() && !sameMessage(m, existing.get())) {
                leave(id.value(), "PostgreSQL already queues a different message under this id; left in the file "
                        + "spool: compare both (relay queue show " + id + ") before deleting either");
                return;
            }
            if (!dryRun) {
                files.removeEntry(id);
                target.releaseImport(id, holder);
            }
            if (existing.isPresent()) {
                alreadyPresent++;
            } else {
                migrated++;
                bytes += m.size();
            }
        } catch (IOException e) {
            leave(id.value(), "still in the file spool: " + e.getMessage() + "; run the migration again once fixed");
        }
    }

    /** Reads the whole content (checksum included) and looks for the id in PostgreSQL, writing nothing. */
    private Optional<StoredMessage> check(StoredMessage m, boolean tables) throws IOException {
        try (InputStream in = files.openVerifiedContent(m.id())) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return tables ? target.load(m.id()) : Optional.empty();
    }

    private Optional<StoredMessage> copy(StoredMessage m) throws IOException {
        try (InputStream in = files.openVerifiedContent(m.id())) {
            return target.importMessage(m, in, holder);
        }
    }

    /** The parts of a message that never change once accepted; the state may have moved on since. */
    private static boolean sameMessage(StoredMessage a, StoredMessage b) {
        return a.envelope().equals(b.envelope()) && a.size() == b.size();
    }

    private void leave(String entry, String reason) {
        leftBehind.add(new MigrationReport.LeftBehind(entry, reason));
    }
}
