package io.stsdane.relay.server.cluster;

import io.stsdane.relay.queue.PostgresSpool;
import io.stsdane.relay.server.tlsrpt.internal.PendingReport;
import io.stsdane.relay.server.tlsrpt.internal.ReportOutbox;
import java.sql.Array;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS-RPT reports built by any relay node, waiting in the shared database for their destinations
 * ({@code tlsrpt_sent.report}, one {@code tlsrpt_delivery} row per destination). A node leases a destination
 * right before sending ({@code UPDATE ... WHERE lease_until < now}, so one node at a time), and marks it done
 * right after; a node that dies holding a lease leaves it to the others once the lease runs out (the queue's
 * {@code spool.postgres.lease}). Only a crash between the hand-over and the mark sends a destination the same
 * report (same {@code report-id}) twice. Thread-safe; every method logs database trouble and never throws.
 */
final class PostgresTlsRptReports implements ReportOutbox {

    private static final Logger log = LoggerFactory.getLogger(PostgresTlsRptReports.class);

    private final ClusterDatabase db;
    private final PostgresSpool spool;
    private final String node;

    /** @param node this node's name in {@code leased_by}, unique among running nodes */
    PostgresTlsRptReports(ClusterDatabase db, PostgresSpool spool, String node) {
        this.db = db;
        this.spool = spool;
        this.node = node;
    }

    /**
     * Stores {@code report} on its claim row and one delivery row per destination, in the caller's transaction.
     * False when the claim is not this node's any more (another node took it over): nothing was written.
     */
    boolean store(Connection c, PendingReport report, String claimant) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                UPDATE tlsrpt_sent SET sent_at = clock_timestamp(), report_id = ?, submitter = ?, report = ?
                 WHERE report_day = ? AND policy_domain = ? AND claimed_by = ? AND sent_at IS NULL""")) {
            s.setString(1, report.reportId());
            s.setString(2, report.submitter());
            s.setBytes(3, report.gzip());
            s.setDate(4, Date.valueOf(report.day()));
            s.setString(5, report.policyDomain());
            s.setString(6, claimant);
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
    public List<PendingReport> due() {
        List<PendingReport> reports = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement("""
                SELECT t.report_day, t.policy_domain, t.report_id, t.submitter, t.report,
                       array_agg(d.destination ORDER BY d.destination)
                  FROM tlsrpt_sent t JOIN tlsrpt_delivery d USING (report_day, policy_domain)
                 WHERE d.done_at IS NULL AND (d.lease_until IS NULL OR d.lease_until < clock_timestamp())
                 GROUP BY t.report_day, t.policy_domain
                 ORDER BY t.report_day, t.policy_domain""");
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                Array destinations = rs.getArray(6);
                reports.add(new PendingReport(rs.getString(3), rs.getString(3), rs.getString(4), rs.getString(2),
                        rs.getDate(1).toLocalDate().toString(),
                        Arrays.asList((String[]) destinations.getArray()), rs.getBytes(5)));
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("TLS-RPT: cannot read the stored reports in {}: {}; they are tried again next run", spool,
                    e.toString());
        }
        return reports;
    }

    @Override
    public boolean lease(PendingReport report, String destination) {
        return update("""
                UPDATE tlsrpt_delivery SET leased_by = ?, lease_until = clock_timestamp() + ?::interval,
                       attempts = attempts + 1
                 WHERE report_day = ? AND policy_domain = ? AND destination = ? AND done_at IS NULL
                   AND (lease_until IS NULL OR lease_until < clock_timestamp())""",
                node, spool.leaseDuration().toMillis() + " milliseconds", report, destination);
    }

    /** Only under this node's lease: after a takeover the other node's outcome stands. */
    @Override
    public void finished(PendingReport report, String destination, Done done) {
        String outcome = done.name().toLowerCase(Locale.ROOT).replace('_', '-');
        if (!update("""
                UPDATE tlsrpt_delivery SET done_at = clock_timestamp(), outcome = ?, leased_by = NULL,
                       lease_until = NULL
                 WHERE leased_by = ? AND report_day = ? AND policy_domain = ? AND destination = ?
                   AND done_at IS NULL""", outcome, node, report, destination)) {
            log.warn("TLS-RPT: could not record that report {} for {} is {} for {} (lease taken over, or database"
                    + " trouble); another node may send it again, with the same report-id", report.reportId(),
                    report.policyDomain(), outcome, destination);
        }
    }

    @Override
    public void retryLater(PendingReport report, String destination, String reason) {
        update("""
                UPDATE tlsrpt_delivery SET last_error = ?, leased_by = NULL, lease_until = NULL
                 WHERE leased_by = ? AND report_day = ? AND policy_domain = ? AND destination = ?
                   AND done_at IS NULL""", reason, node, report, destination);
    }

    /** Runs {@code sql} with parameters {@code a}, {@code b}, day, domain, destination; true if it changed a row. */
    private boolean update(String sql, String a, String b, PendingReport report, String destination) {
        try (Connection c = db.connection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, a);
            s.setString(2, b);
            s.setDate(3, Date.valueOf(report.day()));
            s.setString(4, report.policyDomain());
            s.setString(5, destination);
            return s.executeUpdate() == 1;
        } catch (SQLException | RuntimeException e) {
            log.warn("TLS-RPT: cannot update the delivery of report {} to {} in {}: {}", report.reportId(),
                    destination, spool, e.toString());
            return false;
        }
    }
}
