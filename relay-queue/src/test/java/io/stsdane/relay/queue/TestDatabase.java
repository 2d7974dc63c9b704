package io.stsdane.relay.queue;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The PostgreSQL the tests run against, from {@code RELAY_TEST_POSTGRES_URL}, {@code RELAY_TEST_POSTGRES_USER}
 * and {@code RELAY_TEST_POSTGRES_PASSWORD} (set by .ci/run). Without them the tests are skipped, visibly.
 * Each instance owns a fresh schema, dropped on close (or after each test, as an extension), so tests never
 * see each other's rows.
 */
public final class TestDatabase implements BeforeEachCallback, AfterEachCallback, AutoCloseable {

    static final String URL_VAR = "RELAY_TEST_POSTGRES_URL";
    private static volatile boolean warned;

    public final String url;
    final String user;
    final String password;
    public final String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
            .toLowerCase(Locale.ROOT);

    private TestDatabase(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /**
     * The configured database, or one whose {@link #beforeEach} skips the test. Register it with
     * {@code @RegisterExtension}: each test then gets a fresh schema, dropped after the test's own
     * {@code @AfterEach} methods have run.
     */
    public static TestDatabase fromEnvironment() {
        return new TestDatabase(System.getenv(URL_VAR), envOr("RELAY_TEST_POSTGRES_USER", "relay_test"),
                envOr("RELAY_TEST_POSTGRES_PASSWORD", ""));
    }

    /** Skips the calling test unless a database is configured. */
    public static TestDatabase require() {
        TestDatabase db = fromEnvironment();
        db.requireAvailable();
        return db;
    }

    private void requireAvailable() {
        if (url == null || url.isBlank()) {
            String why = "PostgreSQL not available: set " + URL_VAR
                    + " (and RELAY_TEST_POSTGRES_USER, RELAY_TEST_POSTGRES_PASSWORD) to run the cluster tests";
            if (!warned) {
                warned = true;
                System.err.println("*** SKIPPING the PostgreSQL queue tests. " + why);
            }
            assumeTrue(false, why);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        requireAvailable();
    }

    @Override
    public void afterEach(ExtensionContext context) throws SQLException {
        if (url != null && !url.isBlank()) {
            close();
        }
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null ? fallback : v;
    }

    /** A node's view of this database: short leases so that lapses happen within a test. */
    public PostgresSpool spool(String node) {
        return spool(node, url);
    }

    PostgresSpool spool(String node, String jdbcUrl) {
        return PostgresSpool.of(jdbcUrl, user, password).withSchema(schema).withPoolSize(4)
                .withLeaseDuration(Duration.ofSeconds(3)).withConnectTimeout(Duration.ofSeconds(1))
                .withNodeName(node);
    }

    /** The same database reached through {@code 127.0.0.1:port} (a {@link TcpProxy}). */
    String urlVia(int port) {
        URI u = URI.create(url.substring("jdbc:".length()));
        String query = u.getRawQuery() == null ? "" : "?" + u.getRawQuery();
        return "jdbc:postgresql://127.0.0.1:" + port + u.getRawPath() + query;
    }

    String host() {
        return URI.create(url.substring("jdbc:".length())).getHost();
    }

    int port() {
        int p = URI.create(url.substring("jdbc:".length())).getPort();
        return p < 0 ? 5432 : p;
    }

    /** Runs one SQL query in this test's schema and returns the first column of the first row. */
    public Object queryOne(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getObject(1) : null;
        }
    }

    /** Runs one SQL statement with {@code params} in this test's schema; returns the update count. */
    public int execute(String sql, Object... params) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        }
    }

    private Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection(url, user, password);
        c.setSchema(schema);
        return c;
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }
}
