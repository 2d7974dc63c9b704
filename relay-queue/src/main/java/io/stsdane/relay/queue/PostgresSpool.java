package io.stsdane.relay.queue;

import io.stsdane.relay.core.util.Require;
import io.stsdane.relay.postgres.PostgresOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a queue shared by several relay nodes lives: a PostgreSQL database ({@code spool.backend: postgres},
 * {@code spool.postgres.*}). Pass it to {@link MessageQueue.Builder#postgres(PostgresSpool)} instead of a spool
 * directory. This is only the description; the connection pool is opened by the queue and closed with it.
 * Immutable and thread-safe. See docs/cluster.md.
 *
 * @param url JDBC URL, {@code jdbc:postgresql://host:5432/db}
 * @param user database role
 * @param password its password (read from {@code spool.postgres.password-file}); may be empty for peer or
 *     certificate authentication configured in the URL
 * @param poolSize connections per node ({@code spool.postgres.pool-size})
 * @param schema the schema holding the queue tables; created by the migrations when missing
 * @param leaseDuration how long a node may hold a message without renewing its lease; a node that dies
 *     leaves its messages leased this long, then another node delivers them
 * @param connectTimeout how long intake waits for a connection before answering {@code 451 4.3.0}
 * @param nodeName this node's name in leases ({@code lease_owner}), for operators
 */
public record PostgresSpool(String url, String user, String password, int poolSize, String schema,
        Duration leaseDuration, Duration connectTimeout, String nodeName) {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public PostgresSpool {
        Objects.requireNonNull(url, "url");
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("url must start with jdbc:postgresql:, was " + url);
        }
        Objects.requireNonNull(user, "user");
        password = password == null ? "" : password;
        if (poolSize < 2) {
            // One connection may be held by a state update while it queues a DSN on the same thread; the
            // intake and the scheduler need at least one more.
            throw new IllegalArgumentException("poolSize must be at least 2, was " + poolSize);
        }
        if (schema == null || !IDENTIFIER.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema must be a lower-case SQL identifier, was " + schema);
        }
        Require.positive(leaseDuration, "leaseDuration");
        Require.positive(connectTimeout, "connectTimeout");
        Objects.requireNonNull(nodeName, "nodeName");
    }

    /** Defaults: pool of 10, schema {@code relay}, 2-minute leases, 5 s connect timeout, the host name. */
    public static PostgresSpool of(String url, String user, String password) {
        return new PostgresSpool(url, user, password, 10, "relay", Duration.ofMinutes(2), Duration.ofSeconds(5),
                localHostName());
    }

    /**
     * A pool of {@code poolSize} connections on this database and schema, for one {@code purpose} of this node
     * (the queue, the MTA-STS policy cache...), which names it in logs and in {@code pg_stat_activity}.
     */
    public PostgresOptions database(String purpose, int poolSize) {
        return PostgresOptions.of(url, user, password, schema, poolSize, connectTimeout,
                "sts-dane-relay " + nodeName + " " + purpose);
    }

    /** Reads a password file as written by operators: UTF-8, trailing newline ignored. */
    public static String readPasswordFile(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the password file " + file + ": " + e, e);
        }
    }

    public PostgresSpool withPoolSize(int n) {
        return new PostgresSpool(url, user, password, n, schema, leaseDuration, connectTimeout, nodeName);
    }

    public PostgresSpool withSchema(String s) {
        return new PostgresSpool(url, user, password, poolSize, s, leaseDuration, connectTimeout, nodeName);
    }

    public PostgresSpool withLeaseDuration(Duration d) {
        return new PostgresSpool(url, user, password, poolSize, schema, d, connectTimeout, nodeName);
    }

    public PostgresSpool withConnectTimeout(Duration d) {
        return new PostgresSpool(url, user, password, poolSize, schema, leaseDuration, d, nodeName);
    }

    public PostgresSpool withNodeName(String n) {
        return new PostgresSpool(url, user, password, poolSize, schema, leaseDuration, connectTimeout, n);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "PostgresSpool[" + url + ", user " + user + ", pool " + poolSize + ", schema " + schema
                + ", lease " + leaseDuration + ", node " + nodeName + "]";
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "relay";
        }
    }
}
