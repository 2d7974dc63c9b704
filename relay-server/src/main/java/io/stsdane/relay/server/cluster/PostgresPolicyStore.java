package io.stsdane.relay.server.cluster;

import io.stsdane.relay.queue.PostgresSpool;
import io.stsdane.relay.sts.CachedPolicy;
import io.stsdane.relay.sts.PolicyStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MTA-STS policy cache shared by every relay node in the queue's PostgreSQL database (table
 * {@code sts_policy} in the queue's schema): a policy fetched by one node is enforced by all, and survives the
 * loss of any node (RFC 8461 §10.2). Each node keeps its own in-memory cache in front; a miss there reads here.
 *
 * <p>The table is created by its own migrations ({@code classpath:db/migration/sts}, history in
 * {@code sts_schema_history}), applied on first use rather than at construction: the queue's migrations must run
 * first in a fresh schema (Flyway refuses to start a history in a schema that already holds tables, and the queue
 * does not baseline), and the queue runs them when it starts, before any delivery asks for a policy. This store
 * baselines at version 0, so it starts its history next to the queue's tables.
 *
 * <p>When the database cannot be reached, reads return empty and writes false, with a warning: the node then
 * behaves as a relay whose cache is empty (it fetches the policy itself) and keeps working.
 *
 * <p>Thread-safe. Fetch times are kept to the millisecond, as in the file store.
 */
public final class PostgresPolicyStore implements PolicyStore, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PostgresPolicyStore.class);

    private final ClusterDatabase db;
    private final PostgresSpool spool;

    /** Connects to the queue's database ({@code spool.postgres.*}); no connection is opened before first use. */
    public PostgresPolicyStore(PostgresSpool spool) {
        this.spool = spool;
        this.db = new ClusterDatabase(spool, "mta-sts", "sts");
    }

    @Override
    public Optional<CachedPolicy> load(String domain) {
        try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement(
                "SELECT policy_id, policy_text, fetched_at FROM sts_policy WHERE domain = ?")) {
            s.setString(1, domain);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                String id = rs.getString(1);
                try {
                    return Optional.of(PolicyStore.restore(domain, id, rs.getString(2),
                            rs.getTimestamp(3).toInstant()));
                } catch (IllegalArgumentException e) {
                    log.warn("ignoring the stored MTA-STS policy of {} (id {}) in {}: it is invalid ({}); it will "
                            + "be fetched again", domain, id, spool, e.getMessage());
                    return Optional.empty();
                }
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("cannot read the shared MTA-STS policy of {} from {}: {}; this node fetches it itself if it "
                    + "must", domain, spool, e.toString());
            return Optional.empty();
        }
    }

    /** Keeps the most recently fetched policy when two nodes store one for the same domain. */
    @Override
    public boolean save(CachedPolicy policy) {
        try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO sts_policy (domain, policy_id, policy_text, fetched_at, expires_at, fetched_by)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (domain) DO UPDATE SET policy_id = EXCLUDED.policy_id,
                    policy_text = EXCLUDED.policy_text, fetched_at = EXCLUDED.fetched_at,
                    expires_at = EXCLUDED.expires_at, fetched_by = EXCLUDED.fetched_by
                WHERE sts_policy.fetched_at <= EXCLUDED.fetched_at""")) {
            s.setString(1, policy.domain());
            s.setString(2, policy.id());
            s.setString(3, policy.text());
            s.setTimestamp(4, timestamp(policy.fetchedAt()));
            s.setTimestamp(5, timestamp(policy.expiresAt()));
            s.setString(6, spool.nodeName());
            s.executeUpdate();
            return true;
        } catch (SQLException | RuntimeException e) {
            log.warn("cannot store the MTA-STS policy of {} in {}: {}; this node uses it from memory only and the "
                    + "other nodes fetch it themselves", policy.domain(), spool, e.toString());
            return false;
        }
    }

    /** Deletes the row only while it still holds {@code expired}: another node may have stored a fresh one. */
    @Override
    public void delete(CachedPolicy expired) {
        try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement(
                "DELETE FROM sts_policy WHERE domain = ? AND policy_id = ? AND fetched_at = ?")) {
            s.setString(1, expired.domain());
            s.setString(2, expired.id());
            s.setTimestamp(3, timestamp(expired.fetchedAt()));
            s.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            log.warn("cannot delete the expired MTA-STS policy of {} from {}: {}", expired.domain(), spool,
                    e.toString());
        }
    }

    @Override
    public List<String> domains() {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement(
                "SELECT domain FROM sts_policy ORDER BY domain"); ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("cannot list the shared MTA-STS policies in {}: {}", spool, e.toString());
        }
        return out;
    }

    private static Timestamp timestamp(Instant t) {
        return Timestamp.from(t.truncatedTo(ChronoUnit.MILLIS));
    }

    @Override
    public void close() {
        db.close();
    }

    @Override
    public String toString() {
        return "PostgresPolicyStore[" + spool + "]";
    }
}
