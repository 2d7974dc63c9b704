package io.stsdane.relay.postgres;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach a PostgreSQL database and how large a pool to keep there. Immutable; validated on construction.
 *
 * @param url JDBC URL, {@code jdbc:postgresql://host:5432/db}
 * @param user database role
 * @param password its password; empty for peer or certificate authentication configured in the URL
 * @param schema the schema every connection works in (its {@code search_path}); migrations create it
 * @param poolSize most connections open at once
 * @param connectTimeout how long {@link PostgresDatabase#inTransaction} waits for a connection before it fails
 * @param socketTimeout how long a statement may wait for an answer: a database that stops answering (host gone,
 *     no reset) fails the statement after this instead of hanging its thread forever
 * @param tcpKeepAlive TCP keep-alive on the connections, so a silently dropped peer is noticed while idle
 * @param applicationName names the pool in logs and the connections in {@code pg_stat_activity}
 */
public record PostgresOptions(String url, String user, String password, String schema, int poolSize,
        Duration connectTimeout, Duration socketTimeout, boolean tcpKeepAlive, String applicationName) {

    /** The socket timeout of {@link #of}: long enough for any statement of ours, short enough to fail over. */
    public static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(15);

    public PostgresOptions {
        Objects.requireNonNull(url, "url");
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("url must start with jdbc:postgresql:, got " + url);
        }
        Objects.requireNonNull(user, "user");
        password = password == null ? "" : password;
        Objects.requireNonNull(schema, "schema");
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, got " + poolSize);
        }
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(socketTimeout, "socketTimeout");
        Objects.requireNonNull(applicationName, "applicationName");
    }

    /** Options with the {@link #SOCKET_TIMEOUT} and TCP keep-alive on. */
    public static PostgresOptions of(String url, String user, String password, String schema, int poolSize,
            Duration connectTimeout, String applicationName) {
        return new PostgresOptions(url, user, password, schema, poolSize, connectTimeout, SOCKET_TIMEOUT, true,
                applicationName);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "PostgresOptions[" + url + ", user " + user + ", schema " + schema + ", pool " + poolSize + ", "
                + applicationName + "]";
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }
}
