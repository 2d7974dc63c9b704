package io.stsdane.relay.server.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stsdane.relay.postgres.SqlWork;
import io.stsdane.relay.queue.PostgresSpool;
import io.stsdane.relay.tlsrpt.CounterStore;
import io.stsdane.relay.tlsrpt.FailureKey;
import io.stsdane.relay.tlsrpt.NodeCounters;
import io.stsdane.relay.tlsrpt.PendingReport;
import io.stsdane.relay.tlsrpt.PolicyCounts;
import io.stsdane.relay.tlsrpt.PolicyKey;
import io.stsdane.relay.tlsrpt.ReportOutbox;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS-RPT counts shared by every relay node in the queue's PostgreSQL database (tables {@code tlsrpt_*} in the
 * queue's schema, migrations {@code classpath:db/migration/tlsrpt}, history {@code tlsrpt_schema_history}), so
 * that the daily report of a (day, policy domain) counts every node's sessions once and is built by one node.
 *
 * <p>Each node counts in memory ({@link NodeCounters}) and {@link #save()} adds what it counted since the last
 * successful save ({@code INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n}, one transaction). A node
 * builds a report only after {@link #claim} inserted its row in {@code tlsrpt_sent}; a claim never marked sent
 * is taken over after {@link #CLAIM_TIMEOUT}, so a node that died while building does not lose the report.
 * {@link #store} writes the built report onto that row, sets {@code sent_at} and deletes the counts in one
 * transaction, and only while the claim is still this node's: a report is built and stored once, and any node
 * delivers it from there ({@link #outbox()}).
 *
 * <p>Database unreachable: saves keep the counts in memory for the next try, claims fail, with a warning.
 * Thread-safe: saves are serialized.
 */
public final class PostgresTlsRptCounters implements CounterStore {

    private static final Logger log = LoggerFactory.getLogger(PostgresTlsRptCounters.class);
    static final Duration CLAIM_TIMEOUT = Duration.ofHours(1);
    /** A day's counts stay in memory this long after it ends, for sessions still being counted at midnight. */
    private static final Duration KEEP = Duration.ofMinutes(10);

    private final ClusterDatabase db;
    private final PostgresSpool spool;
    private final NodeCounters collector;
    private final Clock clock;
    private final ObjectMapper json;
    private final String claimant;
    private final PostgresTlsRptReports reports;
    /** What this node already added to the database: the next save adds the difference. */
    private Map<LocalDate, List<PolicyCounts>> saved = Map.of();

    /**
     * No connection is opened before first use. As a {@link CounterStore.Factory}:
     * {@code (counters, clock, sendTime) -> new PostgresTlsRptCounters(spool, counters, clock, sendTime)}.
     *
     * @param sendTime the longest one hand-over of a report to a destination may take (an HTTPS upload's whole
     *     call timeout): a destination is leased for at least this plus a minute, and at least the queue's lease
     */
    public PostgresTlsRptCounters(PostgresSpool spool, NodeCounters collector, Clock clock, Duration sendTime) {
        this.spool = spool;
        this.collector = collector;
        this.clock = clock;
        this.json = new ObjectMapper();
        byte[] suffix = new byte[4];
        new SecureRandom().nextBytes(suffix);
        this.claimant = spool.nodeName() + "-" + HexFormat.of().formatHex(suffix);
        this.db = new ClusterDatabase(spool, "tlsrpt", "tlsrpt");
        Duration lease = sendTime.plus(Duration.ofMinutes(1));
        this.reports = new PostgresTlsRptReports(db, spool, claimant,
                lease.compareTo(spool.leaseDuration()) > 0 ? lease : spool.leaseDuration());
    }

    /** The reports stored by {@link #store}, for every node to deliver; closed with this store. */
    @Override
    public ReportOutbox outbox() {
        return reports;
    }

    @Override
    public synchronized void save() {
        Map<LocalDate, List<PolicyCounts>> now = collector.counts();
        boolean added = inTransaction("add this node's counts (kept in memory for the next try)", c -> {
            for (Map.Entry<LocalDate, List<PolicyCounts>> day : now.entrySet()) {
                Map<PolicyKey, PolicyCounts> before = byKey(saved.getOrDefault(day.getKey(), List.of()));
                for (PolicyCounts p : day.getValue()) {
                    add(c, day.getKey(), p, before.get(p.key()));
                }
            }
            return true;
        });
        if (!added) {
            return;
        }
        saved = now;
        forgetClosedDays();
    }

    /** Adds {@code p} minus what was already added ({@code before}, may be null). */
    private void add(Connection c, LocalDate day, PolicyCounts p, PolicyCounts before) throws SQLException {
        long success = p.success() - (before == null ? 0 : before.success());
        long failure = p.failure() - (before == null ? 0 : before.failure());
        if (success == 0 && failure == 0) {
            return;
        }
        String policyJson = write(p.key());
        String policyKey = sha256(policyJson);
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO tlsrpt_counter (report_day, policy_domain, policy_key, policy_json, successes, failures)
                VALUES (?, ?, ?, ?::jsonb, ?, ?)
                ON CONFLICT (report_day, policy_domain, policy_key) DO UPDATE
                SET successes = tlsrpt_counter.successes + EXCLUDED.successes,
                    failures = tlsrpt_counter.failures + EXCLUDED.failures""")) {
            s.setDate(1, Date.valueOf(day));
            s.setString(2, p.key().domain());
            s.setString(3, policyKey);
            s.setString(4, policyJson);
            s.setLong(5, success);
            s.setLong(6, failure);
            s.executeUpdate();
        }
        Map<FailureKey, Long> earlier = new HashMap<>();
        if (before != null) {
            before.failures().forEach(f -> earlier.put(f.key(), f.count()));
        }
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO tlsrpt_failure (report_day, policy_domain, policy_key, failure_key, failure_json,
                    failures, reason)
                VALUES (?, ?, ?, ?, ?::jsonb, ?, ?)
                ON CONFLICT (report_day, policy_domain, policy_key, failure_key) DO UPDATE
                SET failures = tlsrpt_failure.failures + EXCLUDED.failures,
                    reason = COALESCE(EXCLUDED.reason, tlsrpt_failure.reason)""")) {
            for (PolicyCounts.FailureCount f : p.failures()) {
                long n = f.count() - earlier.getOrDefault(f.key(), 0L);
                if (n == 0) {
                    continue;
                }
                String failureJson = write(f.key());
                s.setDate(1, Date.valueOf(day));
                s.setString(2, p.key().domain());
                s.setString(3, policyKey);
                s.setString(4, sha256(failureJson));
                s.setString(5, failureJson);
                s.setLong(6, n);
                s.setString(7, f.reason());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** Once a day is over and saved, its counts live in the database only. */
    private void forgetClosedDays() {
        LocalDate today = LocalDate.ofInstant(clock.instant().minus(KEEP), ZoneOffset.UTC);
        Map<LocalDate, List<PolicyCounts>> kept = new TreeMap<>(saved);
        for (LocalDate day : saved.keySet()) {
            if (day.isBefore(today)) {
                collector.forget(day);
                kept.remove(day);
            }
        }
        saved = kept;
    }

    @Override
    public List<LocalDate> days() {
        List<LocalDate> days = new ArrayList<>();
        try (Connection c = db.connection()) {
            try (PreparedStatement s = c.prepareStatement("""
                    DELETE FROM tlsrpt_counter k USING tlsrpt_sent t WHERE t.sent_at IS NOT NULL
                       AND k.report_day = t.report_day AND k.policy_domain = t.policy_domain""")) {
                s.executeUpdate(); // counts a node saved after the report was built: too late to report
            }
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT DISTINCT report_day FROM tlsrpt_counter ORDER BY report_day");
                    ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    days.add(rs.getDate(1).toLocalDate());
                }
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("TLS-RPT: cannot read the shared counters in {}: {}", spool, e.toString());
        }
        return days;
    }

    @Override
    public Map<String, List<PolicyCounts>> countsByDomain(LocalDate day) {
        Map<String, List<PolicyCounts>> out = new TreeMap<>();
        try (Connection c = db.connection()) {
            Map<String, List<PolicyCounts.FailureCount>> failures = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT policy_domain, policy_key, failure_json::text, failures, reason FROM tlsrpt_failure
                     WHERE report_day = ?""")) {
                s.setDate(1, Date.valueOf(day));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        failures.computeIfAbsent(rs.getString(1) + " " + rs.getString(2), k -> new ArrayList<>())
                                .add(new PolicyCounts.FailureCount(read(rs.getString(3), FailureKey.class),
                                        rs.getLong(4), rs.getString(5)));
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("""
                    SELECT policy_domain, policy_key, policy_json::text, successes, failures FROM tlsrpt_counter
                     WHERE report_day = ?""")) {
                s.setDate(1, Date.valueOf(day));
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getString(1), d -> new ArrayList<>()).add(new PolicyCounts(
                                read(rs.getString(3), PolicyKey.class), rs.getLong(4), rs.getLong(5),
                                failures.getOrDefault(rs.getString(1) + " " + rs.getString(2), List.of())));
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("TLS-RPT: cannot read the shared counters of {} in {}: {}", day, spool, e.toString());
            return Map.of();
        }
        return out;
    }

    /** Inserts the claim row, or takes over one whose claimant never finished (RFC 8460 §4: one report a day). */
    @Override
    public boolean claim(LocalDate day, String domain) {
        try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO tlsrpt_sent (report_day, policy_domain, claimed_by, claimed_at)
                VALUES (?, ?, ?, clock_timestamp())
                ON CONFLICT (report_day, policy_domain) DO UPDATE
                SET claimed_by = EXCLUDED.claimed_by, claimed_at = EXCLUDED.claimed_at
                WHERE tlsrpt_sent.sent_at IS NULL AND tlsrpt_sent.claimed_at < clock_timestamp() - ?::interval""")) {
            s.setDate(1, Date.valueOf(day));
            s.setString(2, domain);
            s.setString(3, claimant);
            s.setString(4, CLAIM_TIMEOUT.toSeconds() + " seconds");
            return s.executeUpdate() == 1;
        } catch (SQLException | RuntimeException e) {
            log.warn("TLS-RPT: cannot claim the {} report for {} in {}: {}", day, domain, spool, e.toString());
            return false;
        }
    }

    @Override
    public void release(LocalDate day, String domain) {
        inTransaction("give back the claim on the " + day + " report for " + domain, c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    DELETE FROM tlsrpt_sent
                     WHERE report_day = ? AND policy_domain = ? AND claimed_by = ? AND sent_at IS NULL""")) {
                bindClaim(s, day, domain);
                s.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public boolean store(PendingReport report) {
        LocalDate day = LocalDate.parse(report.day());
        return inTransaction("store the " + day + " report for " + report.policyDomain(), c -> {
            if (!reports.store(c, report, claimant)) {
                log.warn("TLS-RPT: the {} report for {} was claimed by another node meanwhile; dropping this copy",
                        day, report.policyDomain());
                return false;
            }
            deleteCounts(c, "report_day = ? AND policy_domain = ?", day, report.policyDomain());
            return true;
        });
    }

    @Override
    public void drop(LocalDate day, String domain) {
        inTransaction("mark the " + day + " report for " + domain + " as not wanted", c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    UPDATE tlsrpt_sent SET sent_at = clock_timestamp()
                     WHERE report_day = ? AND policy_domain = ? AND claimed_by = ? AND sent_at IS NULL""")) {
                bindClaim(s, day, domain);
                if (s.executeUpdate() != 1) {
                    return false; // another node took the claim over: its outcome stands
                }
            }
            deleteCounts(c, "report_day = ? AND policy_domain = ?", day, domain);
            return true;
        });
    }

    /** Old claims and stored reports (with their deliveries, by cascade), and counts too late to report. */
    @Override
    public void purgeBefore(LocalDate day) {
        inTransaction("purge TLS-RPT bookkeeping before " + day, c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM tlsrpt_sent WHERE report_day < ?")) {
                s.setDate(1, Date.valueOf(day));
                s.executeUpdate();
            }
            deleteCounts(c, "report_day < ?", day, null);
            return true;
        });
    }

    private static void deleteCounts(Connection c, String where, LocalDate day, String domain) throws SQLException {
        for (String table : List.of("tlsrpt_counter", "tlsrpt_failure")) {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE " + where)) {
                s.setDate(1, Date.valueOf(day));
                if (domain != null) {
                    s.setString(2, domain);
                }
                s.executeUpdate();
            }
        }
    }

    /**
     * Runs {@code work} in one transaction; false when it returned false (it then wrote nothing) or on any
     * failure, which rolls back and is logged.
     */
    private boolean inTransaction(String what, SqlWork<Boolean, RuntimeException> work) {
        try {
            return db.inTransaction(work);
        } catch (SQLException | RuntimeException e) {
            log.warn("TLS-RPT: cannot {} in {}: {}", what, spool, e.toString());
            return false;
        }
    }

    private void bindClaim(PreparedStatement s, LocalDate day, String domain) throws SQLException {
        s.setDate(1, Date.valueOf(day));
        s.setString(2, domain);
        s.setString(3, claimant);
    }

    private static Map<PolicyKey, PolicyCounts> byKey(List<PolicyCounts> counts) {
        Map<PolicyKey, PolicyCounts> map = new HashMap<>();
        counts.forEach(p -> map.put(p.key(), p));
        return map;
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T read(String text, Class<T> type) {
        try {
            return json.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable TLS-RPT counter row: " + e.getOriginalMessage(), e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds the last counts, then closes the pool. */
    @Override
    public void close() {
        save();
        db.close();
    }

    @Override
    public String toString() {
        return "PostgresTlsRptCounters[" + spool + "]";
    }
}
