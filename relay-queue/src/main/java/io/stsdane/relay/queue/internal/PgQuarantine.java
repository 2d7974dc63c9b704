package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.QueuedMessageView;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Messages of the PostgreSQL queue set aside because their rows do not read back ({@link UnreadableRowException}):
 * {@code quarantined_at} and {@code quarantine_reason} of {@code queue_message} (migration V2). The lease query
 * and the sweep of finished messages skip them, so one bad row never stops the others; nothing deletes them but
 * an operator. The PostgreSQL counterpart of the file spool's {@code quarantine/} folder, except that the
 * message stays in place, visible to the admin API, and can be released once repaired. Stateless; every method
 * runs on the connection it is given.
 */
final class PgQuarantine {

    private PgQuarantine() {
    }

    /** Sets {@code id} aside with {@code reason} and drops its lease; false when not queued or already aside. */
    static boolean set(Connection c, QueueId id, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE queue_message SET quarantined_at = clock_timestamp(), "
                + "quarantine_reason = ?, lease_owner = NULL, lease_until = NULL "
                + "WHERE id = ? AND quarantined_at IS NULL")) {
            ps.setString(1, reason);
            ps.setString(2, id.value());
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * Puts {@code id} back in the queue (the caller then checks, in the same transaction, that it reads);
     * false when it is not quarantined.
     */
    static boolean clear(Connection c, QueueId id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE queue_message SET quarantined_at = NULL, "
                + "quarantine_reason = NULL WHERE id = ? AND quarantined_at IS NOT NULL")) {
            ps.setString(1, id.value());
            return ps.executeUpdate() > 0;
        }
    }

    static int count(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM queue_message WHERE quarantined_at IS NOT NULL");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /**
     * What can be shown of a quarantined message without parsing its JSON: the typed columns, the sender if the
     * envelope still has one (else null), and no next attempt (it has none while set aside). Empty when
     * {@code id} is not quarantined.
     */
    static Optional<QueuedMessageView> view(Connection c, QueueId id) throws SQLException {
        String sender;
        long size;
        Instant received;
        boolean held;
        QueuedMessageView.Quarantine quarantine;
        try (PreparedStatement ps = c.prepareStatement("SELECT envelope ->> 'sender', size, received_at, held, "
                + "quarantined_at, quarantine_reason FROM queue_message WHERE id = ? AND quarantined_at IS NOT NULL")) {
            ps.setString(1, id.value());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                sender = rs.getString(1);
                size = rs.getLong(2);
                received = PgMessages.instant(rs, 3);
                held = rs.getBoolean(4);
                quarantine = new QueuedMessageView.Quarantine(PgMessages.instant(rs, 5), rs.getString(6));
            }
        }
        List<QueuedMessageView.RecipientView> recipients = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT address, status, attempts, last_status, "
                + "last_diagnostic, remote_mta, last_attempt FROM queue_recipient WHERE message_id = ? ORDER BY idx")) {
            ps.setString(1, id.value());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    recipients.add(new QueuedMessageView.RecipientView(rs.getString(1), rs.getString(2),
                            rs.getInt(3), rs.getString(4), rs.getString(5), rs.getString(6), PgMessages.instant(rs, 7),
                            null, List.of()));
                }
            }
        }
        return Optional.of(new QueuedMessageView(id.value(), sender, size, received, held, recipients, quarantine));
    }
}
