package io.stsdane.relay.queue;

import io.stsdane.relay.testkit.postgres.TestDatabase;
import java.time.Duration;

/** MessageQueue nodes on a {@link TestDatabase}'s schema, with short leases so that lapses happen within a test. */
public final class TestSpools {

    private TestSpools() {
    }

    /** Node {@code node}'s view of {@code db}. */
    public static PostgresSpool spool(TestDatabase db, String node) {
        return spool(db, node, db.url());
    }

    /** Node {@code node}'s view of {@code db}, reached through {@code jdbcUrl} (a proxy, say). */
    static PostgresSpool spool(TestDatabase db, String node, String jdbcUrl) {
        return PostgresSpool.of(jdbcUrl, db.user(), db.password()).withSchema(db.schema()).withPoolSize(4)
                .withLeaseDuration(Duration.ofSeconds(3)).withConnectTimeout(Duration.ofSeconds(1))
                .withNodeName(node);
    }
}
