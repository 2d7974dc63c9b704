package io.stsdane.relay.queue.internal;

import io.stsdane.relay.postgres.PostgresDatabase;
import io.stsdane.relay.core.queue.QueueId;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leases this process holds in {@code queue_message}, renewed every third of the lease duration so that
 * a live node keeps its messages however long a delivery takes, while a dead node's lapse. Only leases this
 * process still knows it holds are renewed: one whose release could not be written (database down) lapses
 * instead of being kept forever. The same timer removes finished messages left behind by a failed removal
 * ({@link PgMessages#deleteFinished}). Every statement matches on {@code lease_owner}, so a node whose lease
 * lapsed and was taken over never renews or releases the new owner's lease. Thread-safe.
 */
final class PgLeases implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PgLeases.class);

    private final PostgresDatabase db;
    private final String owner;
    private final Duration duration;
    /** How often leases are renewed: a third of the duration. */
    private final Duration period;
    private final Set<QueueId> held = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "queue-lease-renewal");
        t.setDaemon(true);
        return t;
    });

    PgLeases(PostgresDatabase db, String owner, Duration duration) {
        this.db = db;
        this.owner = owner;
        this.duration = duration;
        this.period = Duration.ofMillis(Math.max(1, duration.toMillis() / 3));
    }

    void start() {
        timer.scheduleWithFixedDelay(this::renew, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Whether leases taken by a statement sent at {@code sentNanos} ({@link System#nanoTime}) may be handed out
     * now: they run until the duration after that at the earliest, and the first renewal of a lease just taken
     * comes up to a period later, so at least a period must be left. A longer lease transaction (a stalled
     * process or database) may already have let them lapse, and another node take them.
     */
    boolean stillValid(long sentNanos) {
        return System.nanoTime() - sentNanos < duration.minus(period).toNanos();
    }

    void held(QueueId id) {
        held.add(id);
    }

    /** The messages this process holds: never to be leased again by it while it does, lease lapsed or not. */
    String[] heldIds() {
        return held.stream().map(QueueId::value).toArray(String[]::new);
    }

    /** The message was removed: nothing to release. */
    void forget(QueueId id) {
        held.remove(id);
    }

    /**
     * Clears the lease of {@code id} in the database unless this process no longer holds it: a message that
     * was removed or set aside has no lease left to clear, so finishing a delivered message costs no round trip.
     */
    void release(QueueId id) {
        if (!held.remove(id)) {
            return;
        }
        try {
            db.inTransaction(c -> PgMessages.releaseLease(c, id, owner));
        } catch (SQLException e) {
            LOG.warn("could not release the lease of {} ({}); it lapses in at most {}", id, e.toString(), duration);
        }
    }

    private void renew() {
        try {
            int swept = db.inTransaction(PgMessages::deleteFinished);
            if (swept > 0) {
                LOG.info("removed {} finished messages whose removal had failed", swept);
            }
        } catch (SQLException e) {
            LOG.debug("could not sweep finished messages: {}", e.toString());
        }
        if (held.isEmpty()) {
            return;
        }
        String[] ids = heldIds();
        try {
            int renewed = db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE queue_message SET lease_until = "
                        + "clock_timestamp() + make_interval(secs => ?) WHERE lease_owner = ? AND id = ANY (?)")) {
                    ps.setDouble(1, duration.toMillis() / 1000.0);
                    ps.setString(2, owner);
                    ps.setArray(3, c.createArrayOf("text", ids));
                    return ps.executeUpdate();
                }
            });
            if (renewed < ids.length) {
                LOG.debug("renewed {} of {} leases (the others were released or removed meanwhile)", renewed,
                        ids.length);
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("could not renew {} message leases ({}); if the database stays unreachable for {} other "
                    + "nodes may deliver them too", ids.length, e.toString(), duration);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
