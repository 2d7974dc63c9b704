package io.stsdane.relay.queue;

import java.util.List;

/**
 * What {@link SpoolMigration#migrate} did (or, in a dry run, would do). Immutable.
 *
 * @param dryRun nothing was written; the counts say what a real run would do
 * @param migrated messages copied into PostgreSQL and removed from the file spool
 * @param alreadyPresent messages found in PostgreSQL already (an earlier run stopped between its commit and
 *     the removal): removed from the file spool without a second copy
 * @param bytes content bytes copied
 * @param releasedFromEarlierRun messages an interrupted earlier run had copied and removed from the file
 *     spool but not yet handed to the nodes; handed over now
 * @param incompleteWrites writes the spool's recovery found cut short by a crash (never acknowledged to a
 *     client, so not mail anyone is waiting for); dropped
 * @param leftBehind entries still in the file spool that need an operator (corrupt, quarantined, unreadable,
 *     or an id PostgreSQL already uses for a different message)
 */
public record MigrationReport(boolean dryRun, int migrated, int alreadyPresent, long bytes,
        int releasedFromEarlierRun, int incompleteWrites, List<LeftBehind> leftBehind) {

    public MigrationReport {
        leftBehind = List.copyOf(leftBehind);
    }

    /**
     * An entry the migration did not move.
     *
     * @param entry the queue id, or the file when it has none
     * @param reason why, in words an operator can act on
     */
    public record LeftBehind(String entry, String reason) {
    }

    /** Every message of the file spool is in PostgreSQL now (or, in a dry run, would be). */
    public boolean complete() {
        return leftBehind.isEmpty();
    }
}
