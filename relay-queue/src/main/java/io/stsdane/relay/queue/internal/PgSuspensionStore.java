package io.stsdane.relay.queue.internal;

import io.stsdane.relay.postgres.PostgresDatabase;
import io.stsdane.relay.queue.DomainSuspension;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/** Suspensions of the PostgreSQL queue in table {@code queue_suspension}: shared by every node. Thread-safe. */
final class PgSuspensionStore implements SuspensionStore {

    private final PostgresDatabase db;

    PgSuspensionStore(PostgresDatabase db) {
        this.db = db;
    }

    @Override
    public List<DomainSuspension> load() throws IOException {
        return io("read the suspensions", () -> db.inTransaction(c -> {
            List<DomainSuspension> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT domain, until FROM queue_suspension");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new DomainSuspension(rs.getString(1), PgMessages.instant(rs, 2)));
                }
            }
            return out;
        }));
    }

    @Override
    public void save(DomainSuspension s) throws IOException {
        io("suspend " + s.domain(), () -> db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO queue_suspension (domain, until) "
                    + "VALUES (?, ?) ON CONFLICT (domain) DO UPDATE SET until = EXCLUDED.until")) {
                ps.setString(1, s.domain());
                ps.setTimestamp(2, s.until() == null ? null : Timestamp.from(s.until()));
                return ps.executeUpdate();
            }
        }));
    }

    @Override
    public boolean delete(String domain) throws IOException {
        return io("resume " + domain, () -> db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM queue_suspension WHERE domain = ?")) {
                ps.setString(1, domain);
                return ps.executeUpdate() > 0;
            }
        }));
    }

    private interface Sql<T> {
        T run() throws SQLException;
    }

    private static <T> T io(String what, Sql<T> work) throws IOException {
        try {
            return work.run();
        } catch (SQLException e) {
            throw new IOException("cannot " + what + " in the database: " + e.getMessage(), e);
        }
    }
}
