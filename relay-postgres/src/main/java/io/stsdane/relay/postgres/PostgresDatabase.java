package io.stsdane.relay.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;

/**
 * A connection pool on one PostgreSQL schema, its Flyway migrations and its transactions.
 *
 * <p>The pool opens no connection before first use and starts even when the database is down: callers fail
 * (after {@link PostgresOptions#connectTimeout()}) until it is back, and the pool reconnects by itself.
 *
 * <p>A transaction is bound to the thread that runs it, so that work nested inside it on the same thread (a DSN
 * queued while a state update holds the row lock) joins it instead of waiting for a second connection: both
 * then commit together. The binding is per instance: a transaction of another database object on the same
 * thread is a transaction of its own. Thread-safe.
 */
public final class PostgresDatabase implements AutoCloseable {

    private final ThreadLocal<Connection> current = new ThreadLocal<>();
    private final PostgresOptions options;
    private final HikariDataSource pool;

    public PostgresDatabase(PostgresOptions options) {
        this(options, Map.of());
    }

    /**
     * @param settings server settings ({@code SET name = value}) for every connection of the pool, sent when it
     *     connects, for the statements of one component that need them
     */
    public PostgresDatabase(PostgresOptions options, Map<String, String> settings) {
        this.options = options;
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(options.url());
        cfg.setUsername(options.user());
        cfg.setPassword(options.password());
        cfg.setMaximumPoolSize(options.poolSize());
        cfg.setSchema(options.schema());
        cfg.setPoolName(options.applicationName());
        cfg.setConnectionTimeout(options.connectTimeout().toMillis());
        cfg.setInitializationFailTimeout(-1);
        cfg.addDataSourceProperty("socketTimeout", Long.toString(Math.max(1, options.socketTimeout().toSeconds())));
        cfg.addDataSourceProperty("tcpKeepAlive", Boolean.toString(options.tcpKeepAlive()));
        cfg.addDataSourceProperty("ApplicationName", options.applicationName());
        if (!settings.isEmpty()) {
            cfg.addDataSourceProperty("options", settings.entrySet().stream()
                    .map(e -> "-c " + e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" ")));
        }
        this.pool = new HikariDataSource(cfg);
    }

    public PostgresOptions options() {
        return options;
    }

    /**
     * Creates or upgrades tables from the versioned scripts at {@code location} ({@code classpath:db/migration/x}),
     * with their history in {@code historyTable}, creating the schema when missing. Several sets of tables share a
     * schema, each with its own history: a set whose history does not exist yet in a schema that already holds
     * another set's tables starts from version 0 (Flyway's baseline), so the order in which the sets are first
     * migrated does not matter. Nodes that start together wait for each other on Flyway's advisory lock.
     */
    public void migrate(String location, String historyTable) {
        Flyway.configure()
                .dataSource(pool)
                .schemas(options.schema())
                .createSchemas(true)
                .table(historyTable)
                .locations(location)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load()
                .migrate();
    }

    /**
     * Runs {@code work} in one transaction, committed when it returns and rolled back when it throws; or, when
     * this thread is already inside one of this database's transactions, inside that one (committed with it).
     */
    public <T, X extends Exception> T inTransaction(SqlWork<T, X> work) throws SQLException, X {
        Connection joined = current.get();
        if (joined != null) {
            return work.run(joined);
        }
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            current.set(c);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (Exception | Error e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                current.remove();
            }
        }
    }

    /** Whether this thread is inside {@link #inTransaction}: work started now joins that transaction. */
    public boolean nested() {
        return current.get() != null;
    }

    /**
     * A pooled connection in auto-commit mode, for single statements; the caller closes it, which returns it to
     * the pool.
     */
    public Connection connection() throws SQLException {
        return pool.getConnection();
    }

    /**
     * Throws unless a connection can be handed out now and answers within 2 s. One round trip, outside a
     * transaction; a connection that did not answer is evicted, so the next caller gets a fresh one.
     */
    public void ping() throws SQLException {
        try (Connection c = pool.getConnection()) {
            if (!c.isValid(2)) {
                pool.evictConnection(c);
                throw new SQLException("the database did not answer within 2 s");
            }
        }
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
