package io.stsdane.relay.server.cluster;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.stsdane.relay.queue.PostgresSpool;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The small pool and own migrations of one set of the server's tables in the queue's database (MTA-STS policies,
 * TLS-RPT counters): each set has its pool, so that it never takes a connection from the queue, and is migrated
 * on first use. Thread-safe.
 */
final class ClusterDatabase implements AutoCloseable {

    /** Short statements only: two connections keep one slow query from blocking the others. */
    private static final int POOL_SIZE = 2;

    private final HikariDataSource pool;
    private final PostgresSpool spool;
    private final String migrations;
    private volatile boolean migrated;

    /**
     * @param purpose names the pool (logs, {@code pg_stat_activity})
     * @param migrations {@code classpath:db/migration/<migrations>}, history {@code <migrations>_schema_history}
     */
    ClusterDatabase(PostgresSpool spool, String purpose, String migrations) {
        this.spool = spool;
        this.migrations = migrations;
        this.pool = pool(spool, purpose);
    }

    /** A pooled connection (auto-commit unless the caller changes it) to the migrated schema. */
    Connection connection() throws SQLException {
        if (!migrated) {
            migrate();
        }
        return pool.getConnection();
    }

    private synchronized void migrate() {
        if (!migrated) {
            migrate(pool, spool, migrations);
            migrated = true;
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    /** A pool on {@code spool.postgres.*} that opens no connection before first use. */
    private static HikariDataSource pool(PostgresSpool spool, String purpose) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(spool.url());
        cfg.setUsername(spool.user());
        cfg.setPassword(spool.password());
        cfg.setMaximumPoolSize(POOL_SIZE);
        cfg.setSchema(spool.schema());
        cfg.setPoolName("relay-" + purpose + "-" + spool.schema());
        cfg.setConnectionTimeout(spool.connectTimeout().toMillis());
        cfg.setInitializationFailTimeout(-1);
        cfg.addDataSourceProperty("socketTimeout", "15");
        cfg.addDataSourceProperty("tcpKeepAlive", "true");
        cfg.addDataSourceProperty("ApplicationName", "sts-dane-relay " + spool.nodeName() + " " + purpose);
        return new HikariDataSource(cfg);
    }

    /**
     * Applies {@code classpath:db/migration/<name>} with history {@code <name>_schema_history}. Baselines at 0:
     * the queue's migrations run first in a fresh schema (its Flyway does not baseline and refuses a schema that
     * already holds tables), so these start their history next to the queue's tables.
     */
    private static void migrate(DataSource pool, PostgresSpool spool, String name) {
        Flyway.configure()
                .dataSource(pool)
                .schemas(spool.schema())
                .createSchemas(true)
                .table(name + "_schema_history")
                .locations("classpath:db/migration/" + name)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load()
                .migrate();
    }
}
