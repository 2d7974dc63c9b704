package io.stsdane.relay.server.cluster;

import io.stsdane.relay.postgres.PostgresDatabase;
import io.stsdane.relay.postgres.SqlWork;
import io.stsdane.relay.queue.PostgresSpool;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The small pool of one set of the server's tables in the queue's database (MTA-STS policies, TLS-RPT counters),
 * migrated on first use: each set has its pool, so that it never takes a connection from the queue. Thread-safe.
 */
final class ClusterDatabase implements AutoCloseable {

    /** Short statements only: two connections keep one slow query from blocking the others. */
    private static final int POOL_SIZE = 2;

    private final PostgresDatabase db;
    private final String migrations;
    private volatile boolean migrated;

    /**
     * @param purpose names the pool (logs, {@code pg_stat_activity})
     * @param migrations {@code classpath:db/migration/<migrations>}, history {@code <migrations>_schema_history}
     */
    ClusterDatabase(PostgresSpool spool, String purpose, String migrations) {
        this.db = new PostgresDatabase(spool.database(purpose, POOL_SIZE));
        this.migrations = migrations;
    }

    /** A pooled connection (auto-commit unless the caller changes it) to the migrated schema. */
    Connection connection() throws SQLException {
        migrateOnce();
        return db.connection();
    }

    /** {@link PostgresDatabase#inTransaction} on the migrated schema. */
    <T, X extends Exception> T inTransaction(SqlWork<T, X> work) throws SQLException, X {
        migrateOnce();
        return db.inTransaction(work);
    }

    private void migrateOnce() {
        if (!migrated) {
            synchronized (this) {
                if (!migrated) {
                    db.migrate("classpath:db/migration/" + migrations, migrations + "_schema_history");
                    migrated = true;
                }
            }
        }
    }

    @Override
    public void close() {
        db.close();
    }
}
