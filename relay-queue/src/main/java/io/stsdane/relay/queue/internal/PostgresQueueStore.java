package io.stsdane.relay.queue.internal;

import io.stsdane.relay.postgres.PostgresDatabase;
import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.PostgresSpool;
import io.stsdane.relay.queue.QueuedMessageView;
import io.stsdane.relay.queue.RecoveryReport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue in PostgreSQL, shared by every relay node pointed at the same database (docs/cluster.md).
 *
 * <ul>
 *   <li>Acceptance: envelope, recipients and content chunks are inserted in one transaction, shared by the
 *       messages accepted at the same moment ({@link PgIntakeCommitter}); {@link #enqueue} returns only after
 *       the COMMIT of its own message, so the listener's 250 always follows a durable write.</li>
 *   <li>Leases: {@link #leaseDue} marks due messages with this process as {@code lease_owner} and an expiry on
 *       the database clock, choosing rows with {@code FOR UPDATE SKIP LOCKED} so concurrent nodes never pick
 *       the same message. {@link PgLeases} renews the leases this process holds; a node that dies stops
 *       renewing and its messages become due for the others once the lease lapses.</li>
 *   <li>State changes lock the message row ({@code SELECT ... FOR UPDATE}) for the read-modify-write, so a
 *       delivery's results and an administrator's action on another node apply one after the other.</li>
 *   <li>Database down: intake answers {@code 451 4.3.0}; the scheduler finds nothing to lease; the pool
 *       reconnects by itself when the database is back.</li>
 *   <li>A message whose rows do not read back ({@link UnreadableRowException}) is quarantined
 *       ({@link PgQuarantine}) by whichever call finds it, and the call goes on as if it were not queued: one
 *       bad row never stops the others, and a driver error never quarantines anything.</li>
 * </ul>
 *
 * Thread-safe.
 */
public final class PostgresQueueStore implements QueueStore {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresQueueStore.class);
    /**
     * Content of one chunk up to this size is read with the lease: a leased message holds at most this much
     * in memory until delivered, and a typical message then needs no read of its own.
     */
    private static final int READ_WITH_LEASE = 64 * 1024;
    /**
     * Threads that commit accepted messages ({@link PgIntakeCommitter}): one batch's round trips wait while the
     * others are written. One alone was slower than a transaction per session on a busy 2-core machine, where
     * each round trip waits to be scheduled.
     */
    private static final int INTAKE_COMMITTERS = 4;
    /**
     * Threads that commit delivery results ({@link PgResultCommitter}): two, so that one writes while the other
     * waits for its round trips.
     */
    private static final int RESULT_COMMITTERS = 2;
    /**
     * Planner settings of the queue's connections: every statement of the queue looks messages up by key or walks
     * the due index from its start, so an index is always the right path. A cached generic plan made while the
     * tables were small (a sequential scan of queue_recipient, a bitmap scan and sort of every due message) stayed
     * in use as the queue grew, each statement then reading the whole table: the regime in which delivery fell
     * behind and the database's CPU per message grew with the backlog (docs/cluster.md). With those paths gone,
     * the generic plan is the right one whatever the parameters, so each statement is planned once per connection
     * ({@code force_generic_plan}): left to choose, PostgreSQL planned the lease's UPDATE and the result batch's
     * locking read and DELETE anew on every execution, which took longer than running them (a fifth of the
     * database's CPU per message, docs/cluster.md).
     */
    private static final Map<String, String> PLANNER = Map.of("enable_seqscan", "off", "enable_bitmapscan", "off",
            "plan_cache_mode", "force_generic_plan");
    /** {@link #leaseBatchFloor()}: a quarter of the default 20 delivery slots. */
    private static final int LEASE_BATCH_FLOOR = 5;

    private final PostgresSpool spool;
    private final PostgresDatabase db;
    private final PgContent content;
    private final PgLeases leases;
    private final PgIntakeCommitter committer;
    private final PgResultCommitter results;
    /** Whether MAIL FROM must ask the database ({@link #checkCapacity}). */
    private final PgReachability reachability = new PgReachability();
    /** Commits of messages too large for the committer, each in a transaction of its own. */
    private final AtomicLong streamedCommits = new AtomicLong();
    private final String owner;
    /**
     * The content of small messages this process leased, checked complete and read in the lease transaction,
     * until the scheduler asks for it: dispatching one then costs no database round trip on the scheduler
     * thread. Larger content is checked again and streamed when asked for (it may have been damaged since).
     * Entries go when the lease does.
     */
    private final Map<QueueId, MessageContent> leasedContent = new ConcurrentHashMap<>();

    public PostgresQueueStore(PostgresSpool spool) {
        this.spool = spool;
        this.db = new PostgresDatabase(spool.database("queue", spool.poolSize()), PLANNER);
        this.content = new PgContent(db);
        // Unique per process: a restarted node must not inherit (and renew) the leases of its previous life.
        this.owner = spool.nodeName() + "/" + ProcessHandle.current().pid() + "/"
                + UUID.randomUUID().toString().substring(0, 8);
        this.leases = new PgLeases(db, owner, spool.leaseDuration());
        // At least one connection stays for deliveries and the scheduler.
        this.committer = new PgIntakeCommitter(db, owner, Math.min(INTAKE_COMMITTERS, spool.poolSize() - 1));
        this.results = new PgResultCommitter(db, Math.min(RESULT_COMMITTERS, spool.poolSize() - 1));
    }

    /** The pool and transactions, for the other tables of the queue's schema (suspensions). */
    PostgresDatabase database() {
        return db;
    }

    /** This process's name in {@code lease_owner} and {@code accepted_by}. */
    public String owner() {
        return owner;
    }

    /**
     * Applies the migrations, removes finished messages whose removal a crash or an outage interrupted (and
     * from then on every lease renewal does), and counts the
     * queue. Nothing else to recover: a transaction that did not commit left nothing, and leases of dead
     * nodes lapse by themselves. Rows are not read here (the queue is shared and may be large): an unreadable
     * one is quarantined when a node first reads it; the report counts those quarantined so far.
     */
    @Override
    public RecoveryReport recover() throws IOException {
        try {
            db.migrate("classpath:db/migration/queue", "queue_schema_history");
            int finished = db.inTransaction(PgMessages::deleteFinished);
            int quarantined = db.inTransaction(PgQuarantine::count);
            int queued = size() - quarantined;
            leases.start();
            LOG.info("queue in PostgreSQL ({}): {} messages queued, {} finished ones removed; this node leases as {}",
                    spool, queued, finished, owner);
            if (quarantined > 0) {
                LOG.warn("queue in PostgreSQL ({}): {} quarantined messages are not delivered until an operator "
                        + "repairs and releases or deletes them (relay queue list shows them with the reason; "
                        + "docs/cluster.md)", spool, quarantined);
            }
            return new RecoveryReport(queued, 0, quarantined, 0);
        } catch (SQLException | RuntimeException e) {
            throw new IOException("cannot open the queue in PostgreSQL " + spool + ": " + e.getMessage()
                    + " (check spool.postgres.url, user and password-file, and that the role may create tables "
                    + "in schema " + spool.schema() + ")", e);
        }
    }

    /**
     * At MAIL FROM: asks the database only when this node's latest round trip to it (an intake, a lease, an
     * earlier check) failed or none was made yet. While mail flows the intakes and leases keep answering, so a
     * message costs no round trip of its own here; when the database goes, the first failure anywhere makes the
     * next MAIL FROM ask, and it is refused until the database answers again. A database that went away unseen
     * fails the intake at the end of DATA instead, with the same 451.
     */
    @Override
    public void checkCapacity() throws IntakeException {
        if (!reachability.lastAnswered()) {
            checkReady();
        }
    }

    /** Asks the database now, whatever the latest round trip did: for readiness probes. */
    @Override
    public void checkReady() throws IntakeException {
        long sent = System.nanoTime();
        try {
            db.ping();
            reachability.answered(sent);
        } catch (SQLException e) {
            reachability.failed();
            throw unavailable("database unreachable", e);
        }
    }

    /**
     * A message of one chunk (the usual case) is read whole before anything is written and handed to the
     * {@link PgIntakeCommitter}, whose transaction it shares with the messages accepted at the same moment; a
     * pooled connection is then not held while the client sends. A larger one streams into a transaction of
     * its own, chunk by chunk, from its second chunk on. A message queued inside a transaction of this thread
     * (a DSN queued by a state update) is written in that transaction, so that both commit or neither does.
     */
    @Override
    public void enqueue(QueueId id, Envelope envelope, InputStream in) throws IntakeException {
        long sent = System.nanoTime();
        try {
            byte[] head = in.readNBytes(PgContent.CHUNK);
            boolean whole = head.length < PgContent.CHUNK;
            boolean nested = db.nested();
            if (whole && !nested) {
                committer.insert(id, envelope, head);
                reachability.answered(sent);
                return;
            }
            db.inTransaction(c -> {
                PgMessages.insert(c, List.of(new PgMessages.NewMessage(id, envelope, whole ? head : null)), owner);
                if (!whole) {
                    PgMessages.setSize(c, id, PgContent.write(c, id,
                            new SequenceInputStream(new ByteArrayInputStream(head), in)));
                }
                return null;
            });
            if (!nested) {
                streamedCommits.incrementAndGet();
                reachability.answered(sent);
            }
        } catch (SQLException e) {
            reachability.failed();
            throw unavailable("spool write failed", e);
        } catch (IOException e) {
            // The content stream failed (client gone, size limit): the database is fine, nothing was kept.
            throw new IntakeException(451, "4.3.0", "Local error in processing: " + e.getMessage(), e);
        }
    }

    /**
     * Transactions that stored accepted messages so far: with group commit fewer than the messages, as each
     * COMMIT (one WAL flush) covers every message of its batch.
     */
    public long intakeCommits() {
        return committer.commits() + streamedCommits.get();
    }

    private IntakeException unavailable(String what, SQLException e) {
        LOG.error("PostgreSQL queue {}: {} ({}); answering 451 until it is back: check the database and "
                + "spool.postgres.url", spool.url(), what, e.toString());
        return new IntakeException(451, "4.3.0", "Local error in processing: queue database unavailable", e);
    }

    /**
     * One transaction per batch, of three queries whatever its size: the lease {@code UPDATE}, the chunk layout
     * of the leased messages (with the data of small ones), and their message rows joined with their
     * recipients. A message whose rows or content do not read is quarantined in this same transaction, which
     * holds its row lock since the lease {@code UPDATE}, and more messages are leased in its place; the ERROR is
     * logged only once that commits.
     *
     * <p>A message is handed out once per lease: never one this process still holds (its delivery is running,
     * or its results are still being written), even if that lease lapsed because a renewal came late; and
     * nothing from a transaction that took so long that its leases may lapse before the first renewal
     * ({@link PgLeases#stillValid}): a stalled process must not deliver what another node may take meanwhile.
     */
    @Override
    public List<StoredMessage> leaseDue(Instant now, int max) {
        List<UnreadableRowException> setAside = new ArrayList<>();
        long[] sent = new long[1];
        try {
            Map<QueueId, MessageContent> contents = new HashMap<>();
            List<StoredMessage> out = db.inTransaction(c -> {
                sent[0] = System.nanoTime();
                List<StoredMessage> loaded = new ArrayList<>(max);
                // Again only to replace messages set aside from a full batch: a batch short of what it asked for
                // leased every message due.
                for (int asked = max; asked > 0; asked = max - loaded.size()) {
                    List<QueueId> ids = lease(c, now, asked);
                    if (!ids.isEmpty()) {
                        load(c, ids, loaded, contents, setAside);
                    }
                    if (ids.size() < asked) {
                        break;
                    }
                }
                return loaded;
            });
            setAside.forEach(this::reportQuarantined);
            if (!out.isEmpty() && !leases.stillValid(sent[0])) {
                LOG.warn("leasing {} messages took {} ms, too long for a lease of {}: not delivering them here; "
                        + "they are due again once their lease lapses", out.size(),
                        (System.nanoTime() - sent[0]) / 1_000_000, spool.leaseDuration());
                return List.of();
            }
            reachability.answered(sent[0]);
            out.forEach(m -> leases.held(m.id()));
            leasedContent.putAll(contents);
            return out;
        } catch (SQLException | RuntimeException e) {
            if (e instanceof SQLException) {
                reachability.failed();
            }
            LOG.warn("cannot lease messages from PostgreSQL ({}); trying again at the next poll", e.toString());
            return List.of();
        }
    }

    /**
     * Reads the messages just leased into {@code loaded}, with the content of small ones into {@code contents};
     * quarantines, in the lease transaction, those whose rows or content do not read, into {@code setAside}.
     */
    private static void load(Connection c, List<QueueId> ids, List<StoredMessage> loaded,
            Map<QueueId, MessageContent> contents, List<UnreadableRowException> setAside) throws SQLException {
        Map<QueueId, PgContent.Chunks> chunks = PgContent.chunks(c, ids, READ_WITH_LEASE);
        for (PgMessages.Loaded l : PgMessages.loadAll(c, ids, false)) {
            try {
                StoredMessage m = l.get();
                PgContent.Chunks stored = chunks.getOrDefault(m.id(), PgContent.Chunks.NONE);
                stored.verify(m.id(), m.size());
                stored.whole(m.size()).ifPresent(data -> contents.put(m.id(), PgContent.inMemory(data)));
                loaded.add(m);
            } catch (UnreadableRowException e) {
                PgQuarantine.set(c, l.id(), e.reason());
                setAside.add(e);
            }
        }
    }

    /** Leases up to {@code max} due messages that nobody holds, not even this process (its leases may lapse). */
    private List<QueueId> lease(Connection c, Instant now, int max) throws SQLException {
        List<QueueId> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("UPDATE queue_message SET lease_owner = ?, "
                + "lease_until = clock_timestamp() + make_interval(secs => ?) WHERE id IN ("
                + "SELECT id FROM queue_message WHERE NOT held AND next_due <= ? AND quarantined_at IS NULL AND "
                + "(lease_until IS NULL OR lease_until < clock_timestamp()) AND id <> ALL (?) "
                + "ORDER BY next_due LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING id")) {
            ps.setString(1, owner);
            ps.setDouble(2, spool.leaseDuration().toMillis() / 1000.0);
            PgMessages.setTime(ps, 3, now);
            ps.setArray(4, c.createArrayOf("text", leases.heldIds()));
            ps.setInt(5, max);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(new QueueId(rs.getString(1)));
                }
            }
        }
        return ids;
    }

    /**
     * Sets aside the message {@code e} names, in a transaction of its own now that the one that found it rolled
     * back. Inside a caller's transaction (the content read while a DSN is composed under a state update's row
     * lock) it rethrows instead: that transaction would roll the quarantine back, so the outermost store call,
     * which catches it after the rollback, quarantines. A database error leaves the row as it is, to be found
     * again at the next read.
     */
    private void quarantine(UnreadableRowException e) {
        if (db.nested()) {
            throw e;
        }
        try {
            if (db.inTransaction(c -> PgQuarantine.set(c, e.id(), e.reason()))) {
                reportQuarantined(e);
            }
        } catch (SQLException failed) {
            LOG.warn("message {} is unreadable in PostgreSQL ({}) but could not be quarantined ({}); it is skipped "
                    + "and found again at its next read", e.id(), e.reason(), failed.toString());
        }
        forget(e.id());
    }

    /** {@code id} is no longer queued (or set aside): nothing of it to renew, release or deliver. */
    private void forget(QueueId id) {
        leases.forget(id);
        leasedContent.remove(id);
    }

    private void reportQuarantined(UnreadableRowException e) {
        LOG.error("message {} cannot be read back from the queue in PostgreSQL ({}): quarantined; no node delivers "
                + "or deletes it. Inspect it with SELECT * FROM {}.queue_message WHERE id = '{}' (and its "
                + "queue_recipient and queue_content rows), repair the rows, then run 'relay queue release {}'; "
                + "or delete it with 'relay queue delete {}' (no DSN is sent)", e.id(), e.reason(), spool.schema(),
                e.id(), e.id(), e.id());
    }

    /** A lease is a transaction that writes (a commit): worth it for a few messages at least. */
    @Override
    public int leaseBatchFloor() {
        return LEASE_BATCH_FLOOR;
    }

    /**
     * Results are group-committed ({@link PgResultCommitter}): as many recorded at once as one batch holds share
     * a commit, where the default few threads, each waiting for a commit of its own, capped deliveries at a few
     * per commit time.
     */
    @Override
    public int resultWriters() {
        return PgResultCommitter.MAX_BATCH;
    }

    @Override
    public void releaseLease(QueueId id) {
        leasedContent.remove(id);
        leases.release(id);
    }

    @Override
    public Optional<StoredMessage> load(QueueId id) throws IOException {
        try {
            return db.inTransaction(c -> PgMessages.load(c, id, false));
        } catch (UnreadableRowException e) {
            quarantine(e);
            return Optional.empty();
        } catch (SQLException e) {
            throw io("read " + id, e);
        }
    }

    @Override
    public MessageContent content(QueueId id) {
        MessageContent leased = leasedContent.remove(id);
        if (leased != null) {
            return leased;
        }
        try {
            long size = db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT size FROM queue_message WHERE id = ?")) {
                    ps.setString(1, id.value());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new SQLException(id + " is no longer queued");
                        }
                        long bytes = rs.getLong(1);
                        PgContent.checkComplete(c, id, bytes);
                        return bytes;
                    }
                }
            });
            return content.of(id, size);
        } catch (UnreadableRowException e) {
            quarantine(e);
            throw new UncheckedIOException(new CorruptEntryException(id + " is quarantined: " + e.reason()));
        } catch (SQLException e) {
            throw new UncheckedIOException(io("read the content of " + id, e));
        }
    }

    @Override
    public Optional<MessageState> update(QueueId id, StateChange change) throws IOException {
        return change(id, change, false);
    }

    /**
     * One transaction instead of an update and a delete: a finished message is deleted under the row lock its
     * results were computed under; and that transaction is shared with the other results recorded at the same
     * moment ({@link PgResultCommitter}), so recording a delivery costs a share of one commit. Inside a
     * transaction of this thread the change joins it instead.
     */
    @Override
    public Optional<MessageState> updateOrRemove(QueueId id, StateChange change) throws IOException {
        Optional<MessageState> after;
        if (db.nested()) {
            after = change(id, change, true);
        } else {
            PgResultCommitter.Applied applied;
            try {
                applied = results.apply(id, change);
            } catch (UnreadableRowException e) { // thrown by the change: its batch rolled back
                quarantine(e);
                return Optional.empty();
            } catch (SQLException e) {
                throw io("update the state of " + id, e);
            }
            if (applied.quarantined() != null) {
                reportQuarantined(applied.quarantined());
                forget(id);
            }
            after = applied.after();
        }
        if (after.isPresent() && after.get().isDone()) {
            forget(id);
        }
        return after;
    }

    /** Transactions that recorded delivery results (state changes and removals) through group commit so far. */
    public long resultCommits() {
        return results.commits();
    }

    private Optional<MessageState> change(QueueId id, StateChange change, boolean removeWhenDone)
            throws IOException {
        try {
            return db.inTransaction(c -> {
                Optional<StoredMessage> current = PgMessages.load(c, id, true);
                if (current.isEmpty()) {
                    return Optional.empty();
                }
                // May queue a DSN on this thread: it joins this transaction and commits with the new state.
                MessageState next = change.apply(current.get());
                if (removeWhenDone && next.isDone()) {
                    PgMessages.delete(c, id);
                } else {
                    PgMessages.store(c, id, current.get().state(), next);
                }
                return Optional.of(next);
            });
        } catch (UnreadableRowException e) {
            quarantine(e);
            return Optional.empty();
        } catch (SQLException e) {
            throw io("update the state of " + id, e);
        }
    }

    @Override
    public boolean remove(QueueId id) throws IOException {
        try {
            boolean removed = db.inTransaction(c -> PgMessages.delete(c, id));
            forget(id);
            return removed;
        } catch (SQLException e) {
            throw io("remove " + id, e);
        }
    }

    @Override
    public List<QueueId> ids(int limit) {
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT id FROM queue_message ORDER BY next_due NULLS LAST, id LIMIT ?")) {
                    ps.setInt(1, limit);
                    return PgMessages.ids(ps);
                }
            });
        } catch (SQLException e) {
            throw new UncheckedIOException(io("list the queue", e));
        }
    }

    /** -1 when the database cannot be asked (the gauge then shows it rather than a made-up figure). */
    @Override
    public int size() {
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM queue_message");
                        ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
        } catch (SQLException e) {
            LOG.debug("cannot count the queue: {}", e.toString());
            return -1;
        }
    }

    @Override
    public Optional<Instant> oldestReceived() {
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT min(received_at) FROM queue_message");
                        ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return Optional.ofNullable(PgMessages.instant(rs, 1));
                }
            });
        } catch (SQLException e) {
            LOG.debug("cannot find the oldest queued message: {}", e.toString());
            return Optional.empty();
        }
    }

    /** Quarantined messages in the whole cluster's queue; -1 when the database cannot be asked. */
    public int quarantinedCount() {
        try {
            return db.inTransaction(PgQuarantine::count);
        } catch (SQLException e) {
            LOG.debug("cannot count quarantined messages: {}", e.toString());
            return -1;
        }
    }

    @Override
    public Optional<QueuedMessageView> quarantined(QueueId id) throws IOException {
        try {
            return db.inTransaction(c -> PgQuarantine.view(c, id));
        } catch (SQLException e) {
            throw io("read " + id, e);
        }
    }

    @Override
    public boolean releaseQuarantine(QueueId id) throws IOException {
        try {
            return db.inTransaction(c -> {
                if (!PgQuarantine.clear(c, id)) {
                    return false;
                }
                try {
                    PgContent.checkComplete(c, id, PgMessages.load(c, id, false).orElseThrow().size());
                } catch (UnreadableRowException e) {
                    throw new CorruptEntryException(id + " still does not read back (" + e.reason()
                            + "); it stays quarantined");
                }
                LOG.info("{} released from quarantine: it is delivered again", id);
                return true;
            });
        } catch (SQLException e) {
            throw io("release " + id + " from quarantine", e);
        }
    }

    private static IOException io(String what, SQLException e) {
        return new IOException("cannot " + what + " in PostgreSQL: " + e.getMessage(), e);
    }

    /**
     * Stops renewing leases and closes the pool. Leases still held are not released: a delivery may still be
     * running, so they lapse after the lease duration and another node takes the messages then.
     */
    @Override
    public void close() {
        leases.close();
        committer.close();
        results.close();
        db.close();
    }

    /**
     * Inserts a message moved here from another store (a file spool) with its queue id, state and content,
     * in one transaction, unless the id is queued already. The new row is leased by {@code holder} with no
     * expiry, so that no node delivers it until {@link #releaseImport}: the mover releases it only once the
     * source copy is gone, and a mover that crashed in between finds it here, still undelivered, on its next
     * run. Returns the message already queued under the id (nothing written), empty when inserted.
     *
     * @param content exactly {@code message.size()} bytes, read once and streamed in chunks
     */
    public Optional<StoredMessage> importMessage(StoredMessage message, InputStream content, String holder)
            throws IOException {
        QueueId id = message.id();
        Envelope env = message.envelope();
        try {
            return db.inTransaction(c -> {
                Optional<StoredMessage> existing = PgMessages.load(c, id, true);
                if (existing.isPresent()) {
                    return existing;
                }
                PgMessages.insert(c, List.of(new PgMessages.NewMessage(id, env, null)), holder);
                PgMessages.store(c, id, MessageState.initial(env.recipients().size(), env.receivedAt()),
                        message.state());
                long size = PgContent.write(c, id, content);
                if (size != message.size()) {
                    throw new IOException("content of " + id + " is " + size + " bytes, its source says "
                            + message.size());
                }
                PgMessages.setSize(c, id, size);
                try (PreparedStatement ps = c.prepareStatement("UPDATE queue_message SET lease_owner = ?, "
                        + "lease_until = 'infinity' WHERE id = ?")) {
                    ps.setString(1, holder);
                    ps.setString(2, id.value());
                    ps.executeUpdate();
                }
                return Optional.empty();
            });
        } catch (SQLException e) {
            throw io("import " + id, e);
        }
    }

    /** Lets the nodes deliver a message {@link #importMessage imported} by {@code holder}. */
    public void releaseImport(QueueId id, String holder) throws IOException {
        try {
            db.inTransaction(c -> PgMessages.releaseLease(c, id, holder));
        } catch (SQLException e) {
            throw io("release the imported " + id, e);
        }
    }

    /** Messages {@link #importMessage imported} by {@code holder} and not released yet. */
    public List<QueueId> importsHeldBy(String holder) throws IOException {
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT id FROM queue_message WHERE lease_owner = ? ORDER BY id")) {
                    ps.setString(1, holder);
                    return PgMessages.ids(ps);
                }
            });
        } catch (SQLException e) {
            throw io("list the messages imported by " + holder, e);
        }
    }

    /**
     * Whether the queue tables exist, asked without creating them ({@link #recover} does): for a look that
     * must not write, such as a dry run.
     */
    public boolean tablesExist() throws IOException {
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass('queue_message') IS NOT NULL");
                        ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            });
        } catch (SQLException e) {
            throw io("look for the queue tables", e);
        }
    }
}
