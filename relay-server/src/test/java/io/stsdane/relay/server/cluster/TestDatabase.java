package io.stsdane.relay.server.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stsdane.relay.queue.PostgresSpool;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The PostgreSQL of {@code RELAY_TEST_POSTGRES_URL}, {@code _USER}, {@code _PASSWORD} (set by .ci/run), as in
 * relay-queue's tests: without it every test using this extension is skipped, visibly. Each test gets a fresh
 * schema, dropped afterwards.
 */
public final class TestDatabase implements BeforeEachCallback, AfterEachCallback {

    private static final String URL_VAR = "RELAY_TEST_POSTGRES_URL";
    private static volatile boolean warned;

    final String url = System.getenv(URL_VAR);
    final String user = envOr("RELAY_TEST_POSTGRES_USER", "relay_test");
    final String password = envOr("RELAY_TEST_POSTGRES_PASSWORD", "");
    final String schema;

    /** A fresh schema with a random name. */
    public TestDatabase() {
        this("t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    private TestDatabase(String schema) {
        this.schema = schema;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws SQLException {
        if (url == null || url.isBlank()) {
            String why = "PostgreSQL not available: set " + URL_VAR
                    + " (and RELAY_TEST_POSTGRES_USER, RELAY_TEST_POSTGRES_PASSWORD) to run the cluster tests";
            if (!warned) {
                warned = true;
                System.err.println("*** SKIPPING the PostgreSQL cluster tests. " + why);
            }
            assumeTrue(false, why);
        }
        dropSchema();
    }

    @Override
    public void afterEach(ExtensionContext context) throws SQLException {
        if (url != null && !url.isBlank()) {
            dropSchema();
        }
    }

    private void dropSchema() throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    /** This test's schema as whole relay nodes are configured to use it. */
    public NodeDatabase node() {
        return new NodeDatabase(url, user, password, schema);
    }

    /** One node's view of this test's schema. */
    PostgresSpool spool(String node) {
        return PostgresSpool.of(url, user, password).withSchema(schema).withConnectTimeout(Duration.ofSeconds(2))
                .withNodeName(node);
    }

    /** Runs {@code sql} in this test's schema. */
    void execute(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            c.setSchema(schema);
            s.execute(sql);
        }
    }

    /** The single number {@code sql} (a {@code count(*)}) returns in this test's schema. */
    long count(String sql) throws SQLException {
        return Long.parseLong(string(sql));
    }

    /** The single value {@code sql} returns in this test's schema, as text. */
    String string(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            c.setSchema(schema);
            try (ResultSet r = s.executeQuery(sql)) {
                r.next();
                return r.getString(1);
            }
        }
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null ? fallback : v;
    }
}
