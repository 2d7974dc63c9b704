package io.stsdane.relay.server.cluster;

import io.stsdane.relay.queue.PostgresSpool;
import io.stsdane.relay.tlsrpt.PendingReport;
import io.stsdane.relay.tlsrpt.ReportDestination;
import io.stsdane.relay.tlsrpt.ReportOutbox;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS-RPT reports built by any relay node, waiting in the shared database for their destinations
 * ({@code tlsrpt_sent.report}, one {@code tlsrpt_delivery} row per destination). A node leases a destination
 * right before sending ({@code UPDATE ... WHERE lease_until < now}, so one node at a time) and records the outcome
 * right after; a node that dies holding a lease leaves the destination to the others once the lease runs out.
 * An outcome the database did not take (it was unreachable) is kept in memory and recorded first thing next run,
 * and this node does not send that destination again meanwhile. So a destination gets the same report (with the
 * same {@code report-id}) twice only when a node dies or stalls past its lease between the hand-over and the
 * record, or when the database stays out of reach until another node's run after the lease ran out.
 * A destination that failed for now carries its {@code next_attempt} ({@link #retryLater}); no node reads or
 * leases it before then, so all nodes share one backoff schedule per destination.
 * Thread-safe; every method logs database trouble and never throws.
 */
final class PostgresTlsRptReports implements ReportOutbox {

    private static final Logger log = LoggerFactory.getLogger(PostgresTlsRptReports.class);

    private final ClusterDatabase db;
    private final PostgresSpool spool;
    private final String node;
    private final Duration lease;
    /** Outcomes to record once the database is back; their destinations are not sent again by this node. */
    private final Map<ReportDestination, Done> unrecorded = new ConcurrentHashMap<>();

    /**
     * @param node this node's name in {@code leased_by}, unique among running nodes
     * @param lease how long a node may take to hand a report to one destination; another node sends it after
     */
    PostgresTlsRptReports(ClusterDatabase db, PostgresSpool spool, String node, Duration lease) {
        this.db = db;
        this.spool = spool;
        this.node = node;
        this.lease = lease;
    }

    /**
     * Stores {@code report} on its claim row and one delivery row per destination, in the caller's transaction.
     * False when the claim is not this node's any more (another node took it over): nothing was written.
     */
    boolean store(Connection c, PendingReport report, String claimant) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                UPDATE tlsrpt_sent SET sent_at = clock_timestamp(), report_id = ?, unique_id = ?, submitter = ?,
                       report = ?
                 WHERE report_day = ? AND policy_domain = ? AND claimed_by = ? AND sent_at IS NULL""")) {
            s.setString(1, report.reportId());
            s.setString(2, report.uniqueId());
            s.setString(3, report.submitter());
            s.setBytes(4, report.gzip());
            s.setDate(5, Date.valueOf(report.day()));
            s.setString(6, report.policyDomain());
            s.setString(7, claimant);
            if (s.executeUpdate() != 1) {
                return false;
            }
        }
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO tlsrpt_delivery (report_day, policy_domain, destination) VALUES (?, ?, ?)
                ON CONFLICT DO NOTHING""")) {
            for (String destination : report.destinations()) {
                s.setDate(1, Date.valueOf(report.day()));
                s.setString(2, report.policyDomain());
                s.setString(3, destination);
                s.addBatch();
            }
            s.executeBatch();
        }
        return true;
    }

    @Override
    public List<PendingReport> due(Instant now) {
        unrecorded.forEach((d, done) -> {
            if (record(d, done) != Recorded.FAILED) {
                unrecorded.remove(d);
            }
        });
        List<PendingReport> reports = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement("""
                SELECT t.report_day, t.policy_domain, t.unique_id, t.report_id, t.submitter, t.report,
                       array_agg(d.destination ORDER BY d.destination)
                  FROM tlsrpt_sent t JOIN tlsrpt_delivery d USING (report_day, policy_domain)
                 WHERE d.done_at IS NULL AND (d.lease_until IS NULL OR d.lease_until < clock_timestamp())
                   AND (d.next_attempt IS NULL OR d.next_attempt <= ?)
                 GROUP BY t.report_day, t.policy_domain
                 ORDER BY t.report_day, t.policy_domain""")) {
            s.setObject(1, timestamp(now));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String day = rs.getDate(1).toLocalDate().toString();
                    String domain = rs.getString(2);
                    List<String> destinations = Arrays.stream((String[]) rs.getArray(7).getArray())
                            .filter(uri -> !unrecorded.containsKey(new ReportDestination(day, domain, uri))).toList();
                    if (!destinations.isEmpty()) {
                        reports.add(new PendingReport(rs.getString(3), rs.getString(4), rs.getString(5), domain, day,
                                destinations, rs.getBytes(6)));
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("TLS-RPT: cannot read the stored reports in {}: {}; they are tried again next run", spool,
                    e.toString());
        }
        return reports;
    }

    /** The next-attempt time is checked here too: another node may have failed with it since {@link #due}. */
    @Override
    public OptionalInt lease(PendingReport report, String destination, Instant now) {
        try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement("""
                UPDATE tlsrpt_delivery SET leased_by = ?, lease_until = clock_timestamp() + ?::interval,
                       attempts = attempts + 1
                 WHERE report_day = ? AND policy_domain = ? AND destination = ? AND done_at IS NULL
                   AND (lease_until IS NULL OR lease_until < clock_timestamp())
                   AND (next_attempt IS NULL OR next_attempt <= ?)
                RETURNING attempts""")) {
            s.setString(1, node);
            bind(s, 2, ReportDestination.of(report, destination), lease.toMillis() + " milliseconds");
            s.setObject(6, timestamp(now));
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? OptionalInt.of(rs.getInt(1)) : OptionalInt.empty();
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("TLS-RPT: cannot lease the delivery of report {} to {} in {}: {}", report.reportId(),
                    destination, spool, e.toString());
            return OptionalInt.empty();
        }
    }

    @Override
    public void finished(PendingReport report, String destination, Done done) {
        ReportDestination d = ReportDestination.of(report, destination);
        if (record(d, done) == Recorded.FAILED) {
            unrecorded.put(d, done);
        }
    }

    /** Every node's run skips the destination until {@code nextAttempt}: one shared schedule, not one per node. */
    @Override
    public void retryLater(PendingReport report, String destination, String reason, Instant nextAttempt) {
        try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement("""
                UPDATE tlsrpt_delivery SET last_error = ?, leased_by = NULL, lease_until = NULL, next_attempt = ?
                 WHERE leased_by = ? AND report_day = ? AND policy_domain = ? AND destination = ?
                   AND done_at IS NULL""")) {
            s.setString(1, reason);
            s.setObject(2, timestamp(nextAttempt));
            bind(s, 3, ReportDestination.of(report, destination), node);
            s.executeUpdate();
        } catch (SQLException | RuntimeException e) {
            // The lease runs out by itself; then any node tries again, without the backoff.
            log.warn("TLS-RPT: cannot record the failed delivery of report {} to {} in {}: {}", report.reportId(),
                    destination, spool, e.toString());
        }
    }

    private enum Recorded { DONE, LEASE_LOST, FAILED }

    /** Only under this node's lease: after a takeover the other node's outcome stands. */
    private Recorded record(ReportDestination d, Done done) {
        String outcome = done.name().toLowerCase(Locale.ROOT).replace('_', '-');
        try {
            if (update("""
                    UPDATE tlsrpt_delivery SET done_at = clock_timestamp(), outcome = ?, leased_by = NULL,
                           lease_until = NULL
                     WHERE leased_by = ? AND report_day = ? AND policy_domain = ? AND destination = ?
                       AND done_at IS NULL""", outcome, node, d) == 1) {
                return Recorded.DONE;
            }
            log.warn("TLS-RPT: the {} report for {} is {} for {}, but this node's lease on it was taken over; the"
                    + " destination may get it twice, with the same report-id", d.day(), d.domain(), outcome,
                    d.uri());
            return Recorded.LEASE_LOST;
        } catch (SQLException | RuntimeException e) {
            log.warn("TLS-RPT: cannot record that the {} report for {} is {} for {} in {} (tried again next run):"
                    + " {}", d.day(), d.domain(), outcome, d.uri(), spool, e.toString());
            return Recorded.FAILED;
        }
    }

    /** Runs {@code sql} with parameters {@code a}, {@code b}, day, domain, destination; the rows it changed. */
    private int update(String sql, String a, String b, ReportDestination d) throws SQLException {
        try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, a);
            bind(s, 2, d, b);
            return s.executeUpdate();
        }
    }

    /** Sets parameter {@code from} to {@code value}, and the next three to day, domain, destination. */
    private static void bind(PreparedStatement s, int from, ReportDestination d, String value) throws SQLException {
        s.setString(from, value);
        s.setDate(from + 1, Date.valueOf(d.day()));
        s.setString(from + 2, d.domain());
        s.setString(from + 3, d.uri());
    }

    /** The report job's clock, not the database's: a next-attempt time is compared with the clock that set it. */
    private static OffsetDateTime timestamp(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
