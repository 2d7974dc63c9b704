package io.stsdane.relay.testkit.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The PostgreSQL database the tests run against, with a fresh schema of its own per instance, dropped on
 * {@link #close()} (or after each test, as an extension), so that tests never see each other's rows.
 *
 * <p>The database is a {@link PostgresServer} started once per JVM, on first use, and stopped when the JVM
 * exits; nothing needs to be installed or configured. To run the tests against a server of your own instead,
 * set {@code RELAY_TEST_POSTGRES_URL} (a JDBC URL) and optionally {@code RELAY_TEST_POSTGRES_USER} (default
 * {@value PostgresServer#USER}) and {@code RELAY_TEST_POSTGRES_PASSWORD} (default empty).
 *
 * <pre>{@code
 * @RegisterExtension
 * final TestDatabase db = new TestDatabase();   // a schema per test, dropped after its @AfterEach methods
 * }</pre>
 *
 * <p>Thread-safe; the server is started by whichever thread first needs it.
 */
public final class TestDatabase implements AfterEachCallback, AutoCloseable {

    private static final String URL_VAR = "RELAY_TEST_POSTGRES_URL";
    private static Endpoint shared;
    private static IOException sharedFailure;

    private final Endpoint endpoint;
    private final String schema;

    /** A fresh schema with a random name in the JVM's test database, which this starts if it is not yet running. */
    public TestDatabase() {
        this.endpoint = endpoint();
        this.schema = "t_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    private record Endpoint(String url, String user, String password) {
    }

    private static synchronized Endpoint endpoint() {
        if (shared == null && sharedFailure == null) {
            String url = System.getenv(URL_VAR);
            if (url != null && !url.isBlank()) {
                shared = new Endpoint(url, envOr("RELAY_TEST_POSTGRES_USER", PostgresServer.USER),
                        envOr("RELAY_TEST_POSTGRES_PASSWORD", ""));
            } else {
                try {
                    // Never closed here: its shutdown hook stops it and deletes its files when the JVM exits.
                    shared = new Endpoint(PostgresServer.create().jdbcUrl(), PostgresServer.USER, "");
                } catch (IOException e) {
                    sharedFailure = e;
                }
            }
        }
        if (sharedFailure != null) {
            throw new UncheckedIOException("the tests' PostgreSQL server could not be started", sharedFailure);
        }
        return shared;
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null ? fallback : v;
    }

    /** The JDBC URL of the database. */
    public String url() {
        return endpoint.url();
    }

    public String user() {
        return endpoint.user();
    }

    public String password() {
        return endpoint.password();
    }

    /** This instance's schema: not created here (the code under test creates it), dropped by {@link #close()}. */
    public String schema() {
        return schema;
    }

    /** The server's host name or address, from {@link #url()}. */
    public String host() {
        return uri().getHost();
    }

    /** The server's TCP port, from {@link #url()}. */
    public int port() {
        int p = uri().getPort();
        return p < 0 ? 5432 : p;
    }

    /** The same database reached through {@code 127.0.0.1:port} (a TCP proxy in front of it, say). */
    public String urlVia(int port) {
        URI u = uri();
        String query = u.getRawQuery() == null ? "" : "?" + u.getRawQuery();
        return "jdbc:postgresql://127.0.0.1:" + port + u.getRawPath() + query;
    }

    private URI uri() {
        return URI.create(url().substring("jdbc:".length()));
    }

    /** The first column of the first row {@code sql} returns in this schema, or null without a row. */
    public Object queryOne(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            return r.next() ? r.getObject(1) : null;
        }
    }

    /** {@link #queryOne} as text. */
    public String string(String sql) throws SQLException {
        Object v = queryOne(sql);
        return v == null ? null : v.toString();
    }

    /** {@link #queryOne} of a {@code count(*)}. */
    public long count(String sql) throws SQLException {
        return ((Number) queryOne(sql)).longValue();
    }

    /** Runs one SQL statement with {@code params} in this schema; returns the update count. */
    public int execute(String sql, Object... params) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        }
    }

    private Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(url(), user(), password());
        c.setSchema(schema);
        return c;
    }

    @Override
    public void afterEach(ExtensionContext context) throws SQLException {
        close();
    }

    /** Drops this instance's schema and everything in it. */
    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(url(), user(), password()); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
