package io.stsdane.relay.queue.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.stsdane.relay.queue.PostgresSpool;
import java.sql.Connection;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;

/**
 * The connection pool of a {@link PostgresQueueStore} and its transactions. A transaction is bound to the
 * thread that runs it, so that work nested inside it on the same thread (a DSN queued while a state update
 * holds the row lock, the original content read to compose it) joins it instead of waiting for a second
 * connection: the DSN and the state that no longer owes it then commit together. Thread-safe.
 */
final class PgDatabase implements AutoCloseable {

    /** Work on a connection; the checked exception is the JDBC one. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private static final ThreadLocal<Connection> CURRENT = new ThreadLocal<>();

    private final HikariDataSource pool;
    private final PostgresSpool spool;

    PgDatabase(PostgresSpool spool) {
        this.spool = spool;
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(spool.url());
        cfg.setUsername(spool.user());
        cfg.setPassword(spool.password());
        cfg.setMaximumPoolSize(spool.poolSize());
        cfg.setSchema(spool.schema());
        cfg.setPoolName("relay-queue-" + spool.schema());
        cfg.setConnectionTimeout(spool.connectTimeout().toMillis());
        // Start even when the database is down: intake answers 451 until it is back, recover() says why.
        cfg.setInitializationFailTimeout(-1);
        // A database that stops answering (not refusing) must not hang a delivery or the listener forever.
        cfg.addDataSourceProperty("socketTimeout", "15");
        cfg.addDataSourceProperty("tcpKeepAlive", "true");
        cfg.addDataSourceProperty("ApplicationName", "sts-dane-relay " + spool.nodeName());
        this.pool = new HikariDataSource(cfg);
    }

    /** Creates or upgrades the queue tables (classpath:db/migration/queue, history in queue_schema_history). */
    void migrate() {
        Flyway.configure()
                .dataSource(pool)
                .schemas(spool.schema())
                .createSchemas(true)
                .table("queue_schema_history")
                .locations("classpath:db/migration/queue")
                .load()
                .migrate();
    }

    /** Runs {@code work} in one transaction (committed when it returns), or inside the thread's current one. */
    <T> T inTransaction(SqlWork<T> work) throws SQLException {
        Connection current = CURRENT.get();
        if (current != null) {
            return work.run(current);
        }
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            CURRENT.set(c);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                CURRENT.remove();
            }
        }
    }

    /**
     * Like {@link #inTransaction} for work that may throw a checked exception of its own (a state change
     * that queues a DSN); that exception rolls back and is rethrown as is.
     */
    <T, X extends Exception> T inTransaction(Class<X> own, SqlWork<T> work) throws SQLException, X {
        try {
            return inTransaction(work);
        } catch (WrappedException e) {
            throw own.cast(e.getCause());
        }
    }

    /** Carries an exception of the caller's own through {@link SqlWork} (see the overload above). */
    static final class WrappedException extends RuntimeException {
        WrappedException(Exception cause) {
            super(cause);
        }
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** Whether this thread is inside {@link #inTransaction}: work started now joins that transaction. */
    boolean nested() {
        return CURRENT.get() != null;
    }

    /**
     * A connection that can be handed out now and answers; throws when the database cannot be reached. One
     * round trip, outside a transaction: intake asks this for every message.
     */
    void ping() throws SQLException {
        try (Connection c = pool.getConnection()) {
            if (!c.isValid(2)) {
                pool.evictConnection(c); // not handed out again: the next caller gets a fresh one
                throw new SQLException("the database did not answer within 2 s");
            }
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
