/**
 * The durable mail queue: {@link io.stsdane.relay.queue.MessageQueue} (builder, start, intake, admin), the admin
 * API ({@link io.stsdane.relay.queue.QueueAdmin}) and its result records, and
 * {@link io.stsdane.relay.queue.PostgresSpool} to keep the queue in PostgreSQL for several relay nodes. The
 * machinery (file spool, PostgreSQL store, group commit, scheduler, DSN writer) lives in
 * {@code io.stsdane.relay.queue.internal}.
 */
package io.stsdane.relay.queue;
