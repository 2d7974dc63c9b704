package io.stsdane.relay.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code spool:} section.
 *
 * @param backend where the queue lives: this node's directory, or a PostgreSQL database shared by several nodes
 * @param dir where queued messages live (created at start-up if missing); used by the file backend
 * @param minFreeDisk below this many free bytes the listener refuses new mail (4xx) and readiness fails; file
 *     backend
 * @param commitDelay the longest a spool commit waits for other sessions' messages on their way to it, so that
 *     one {@code fsync} makes them all durable; zero never waits; file backend
 * @param postgres the database, present exactly when {@code backend} is {@link Backend#POSTGRES}
 */
public record SpoolConfig(Backend backend, Path dir, long minFreeDisk, Duration commitDelay,
        Optional<Postgres> postgres) {

    /** {@code spool.backend}. */
    public enum Backend { FILE, POSTGRES }

    /**
     * The {@code spool.postgres:} section (docs/cluster.md).
     *
     * @param url JDBC URL, {@code jdbc:postgresql://host[:port]/database[?options]}
     * @param user database role
     * @param passwordFile file holding the role's password (first line); empty when the URL's options or the
     *     server's pg_hba.conf authenticate otherwise
     * @param poolSize connections per node
     * @param schema the schema holding the relay's tables (created by the migrations when missing); several
     *     clusters may share one database with a schema each
     * @param lease how long a node holds a message it is delivering without renewing; after a node dies its
     *     messages wait this long before another node takes them
     * @param connectTimeout how long an SMTP session waits for a database connection before answering 451
     */
    public record Postgres(String url, String user, Optional<Path> passwordFile, int poolSize, String schema,
            Duration lease, Duration connectTimeout) {
    }
}
