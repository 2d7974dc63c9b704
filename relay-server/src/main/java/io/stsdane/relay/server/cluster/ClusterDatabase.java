package io.stsdane.relay.server.cluster;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.stsdane.relay.queue.PostgresSpool;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The small pools and own migrations of the server's tables in the queue's database (MTA-STS policies, TLS-RPT
 * counters): each table set has its pool, so that it never takes a connection from the queue. Stateless.
 */
final class ClusterDatabase {

    /** Short statements only: two connections keep one slow query from blocking the others. */
    private static final int POOL_SIZE = 2;

    private ClusterDatabase() {
    }

    /** A pool on {@code spool.postgres.*} that opens no connection before first use. */
    static HikariDataSource pool(PostgresSpool spool, String purpose) {
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
    static void migrate(DataSource pool, PostgresSpool spool, String name) {
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
