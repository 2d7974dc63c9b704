/**
 * Queue machinery. {@link io.stsdane.relay.queue.internal.QueueStore} is the seam between scheduling and
 * storage; {@link io.stsdane.relay.queue.internal.FileQueueStore} is the file spool behind it (a {@code Journal}
 * of {@code JournalRecord}s with group commit, replayed by {@code JournalRecovery}, compacted by
 * {@code JournalCompaction}; {@code LegacySpool} migrates the format of one file per message) and
 * {@link io.stsdane.relay.queue.internal.PostgresQueueStore} the queue shared by several nodes in PostgreSQL
 * (pool and transactions from relay-postgres, {@code PgMessages} rows, {@code PgContent} chunks, {@code PgLeases}
 * renewal);
 * {@link io.stsdane.relay.queue.internal.Scheduler} drives the delivery agent;
 * {@link io.stsdane.relay.queue.internal.StateTransitions} holds the retry/expiry/NOTIFY rules and
 * {@link io.stsdane.relay.queue.internal.DsnComposer} writes RFC 3464 reports.
 */
package io.stsdane.relay.queue.internal;
