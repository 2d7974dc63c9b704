package io.stsdane.relay.postgres;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work on a connection inside a transaction ({@link PostgresDatabase#inTransaction}). Besides the JDBC exception
 * it may throw one checked exception of its own, {@code X} (an {@code IOException} of a content stream, say),
 * which rolls the transaction back and reaches the caller as it is; work that throws none leaves {@code X}
 * inferred as {@link RuntimeException}.
 */
@FunctionalInterface
public interface SqlWork<T, X extends Exception> {
    T run(Connection c) throws SQLException, X;
}
