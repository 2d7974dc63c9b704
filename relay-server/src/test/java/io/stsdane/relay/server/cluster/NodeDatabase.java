package io.stsdane.relay.server.cluster;

import io.stsdane.relay.queue.PostgresSpool;
import io.stsdane.relay.testkit.postgres.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where test relay nodes keep their shared queue: {@code spool.postgres.url}, {@code user}, the password and
 * {@code schema}, written out as the {@code spool:} section of a node's configuration.
 */
public record NodeDatabase(String url, String user, String password, String schema) {

    /** The schema of {@code db}. */
    public static NodeDatabase of(TestDatabase db) {
        return new NodeDatabase(db.url(), db.user(), db.password(), db.schema());
    }

    /** One node's view of this schema, for the parts of a relay a test builds itself. */
    public PostgresSpool spool(String node) {
        return PostgresSpool.of(url, user, password).withSchema(schema).withConnectTimeout(Duration.ofSeconds(2))
                .withNodeName(node);
    }

    /**
     * The keys of the {@code spool:} section (indented by two spaces) of a node whose files are in
     * {@code nodeDir}, where the password file is written.
     */
    public String spoolYaml(Path nodeDir, Duration lease, Duration connectTimeout) throws IOException {
        Path passwordFile = Files.writeString(nodeDir.resolve("postgres.password"), password + "\n");
        return """
                  backend: postgres
                  postgres:
                    url: %s
                    user: %s
                    password-file: %s
                    pool-size: 4
                    schema: %s
                    lease: %ds
                    connect-timeout: %dms
                """.formatted(url, user, passwordFile, schema, lease.toSeconds(), connectTimeout.toMillis());
    }
}
