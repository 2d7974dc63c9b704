package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.QueuedMessageView;
import io.stsdane.relay.queue.RecoveryReport;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where queued messages live. The scheduler and the admin API only see this interface, so a store shared by
 * several relay nodes (a database with {@code SELECT ... FOR UPDATE SKIP LOCKED} leases) can replace the
 * file spool without touching them. Implementations are thread-safe.
 */
public interface QueueStore extends AutoCloseable {

    /** Scans the store after a restart; must run before anything else. */
    RecoveryReport recover() throws IOException;

    /**
     * Throws {@code 452 4.3.1} (or {@code 451 4.3.0}) when the store cannot take mail now. Called at every
     * MAIL FROM, so it may go by what the store last saw instead of asking afresh.
     */
    void checkCapacity() throws IntakeException;

    /** {@link #checkCapacity} asked afresh, for a readiness probe. */
    default void checkReady() throws IntakeException {
        checkCapacity();
    }

    /** Stores a new message durably; returns only once it survives a crash. Nothing remains on failure. */
    void enqueue(QueueId id, Envelope envelope, InputStream content) throws IntakeException;

    /**
     * Leases up to {@code max} messages due at {@code now} that are neither held nor leased. A leased
     * message is not handed out again until {@link #releaseLease}.
     */
    List<StoredMessage> leaseDue(Instant now, int max);

    void releaseLease(QueueId id);

    /**
     * The fewest messages worth a {@link #leaseDue} call while deliveries are in flight: a store whose lease is a
     * transaction (a commit) asks the scheduler to wait until that many delivery slots are free, rather than lease
     * one message per finished delivery. With nothing in flight the scheduler leases whatever is free.
     */
    default int leaseBatchFloor() {
        return 1;
    }

    /**
     * The most delivery results worth recording at once: the scheduler records results on up to this many threads
     * (and never more than its concurrency). A store that group-commits results from many callers into one commit
     * asks for more than the default, since each thread waits for a commit while recording.
     */
    default int resultWriters() {
        return 4;
    }

    Optional<StoredMessage> load(QueueId id) throws IOException;

    /** The content, opened as a stream each time; valid while the message is queued. */
    MessageContent content(QueueId id);

    /**
     * Atomically replaces the state of a message with {@code change(current)} and persists it durably.
     * Empty when the message is no longer queued.
     */
    Optional<MessageState> update(QueueId id, StateChange change) throws IOException;

    /** Removes a message (delivered, deleted by an admin). False when it was not queued. */
    boolean remove(QueueId id) throws IOException;

    /**
     * Like {@link #update}, but when the new state {@linkplain MessageState#isDone() is done} the message is
     * removed instead of its final state being persisted first. For the scheduler's outcome recording: a
     * crash before the removal redelivers the message either way (delivery is at-least-once), so persisting a
     * state that is deleted a moment later only costs syncs.
     */
    default Optional<MessageState> updateOrRemove(QueueId id, StateChange change) throws IOException {
        Optional<MessageState> after = update(id, change);
        if (after.isPresent() && after.get().isDone()) {
            remove(id);
        }
        return after;
    }

    /** Ids of queued messages, oldest due first, at most {@code limit}. */
    List<QueueId> ids(int limit);

    int size();

    Optional<Instant> oldestReceived();

    /**
     * A message this store set aside because it does not read back, as the admin API shows it; empty when
     * {@code id} is not quarantined. Only a store that keeps such messages addressable does (PostgreSQL); the
     * file spool moves them out of the queue at start-up. Quarantined messages are counted by {@link #size} and
     * listed by {@link #ids}, but {@link #load} and {@link #update} treat them as not queued.
     */
    default Optional<QueuedMessageView> quarantined(QueueId id) throws IOException {
        return Optional.empty();
    }

    /**
     * Puts a quarantined message back in the queue once it reads back; false when it is not quarantined. Throws,
     * leaving it quarantined, when it still does not read.
     */
    default boolean releaseQuarantine(QueueId id) throws IOException {
        return false;
    }

    @Override
    void close();

    /** A read-modify-write step on a message's state; may do I/O (for example queue a DSN) before it returns. */
    @FunctionalInterface
    interface StateChange {
        MessageState apply(StoredMessage current) throws IOException;
    }
}
