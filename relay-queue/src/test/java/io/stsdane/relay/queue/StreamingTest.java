package io.stsdane.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.testkit.postgres.TestDatabase;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 35 MiB message through spool, delivery and a RET=FULL bounce in a JVM whose whole heap is smaller than
 * the message: any step that held the body in memory would die with OutOfMemoryError.
 */
class StreamingTest {

    private static final long SIZE = 35L << 20;
    private static final long HEAP = 24L << 20;

    @TempDir
    Path spool;

    @Test
    void a35MiBMessageStreamsThroughAHeapSmallerThanItself() throws Exception {
        assertStreams("file spool", spool.toString(), Long.toString(SIZE));
    }

    /** The same through the PostgreSQL store: content chunks in, out to the agent, into the DSN. */
    @Test
    void a35MiBMessageStreamsThroughPostgresInAHeapSmallerThanItself() throws Exception {
        try (TestDatabase db = new TestDatabase()) {
            assertStreams("postgres", db.url(), Long.toString(SIZE), db.user(), db.password(), db.schema());
        }
    }

    private static void assertStreams(String store, String... args) throws Exception {
        List<String> lines;
        try (ChildJvm child = new ChildJvm(StreamingChild.class, List.of("-Xmx" + (HEAP >> 20) + "m"), args)) {
            assertThat(child.waitFor()).as("child exit; stderr: %s", child.stderr()).isZero();
            lines = child.lines();
        }
        String expected = sha256(TestMessages.generated(SIZE));
        assertThat(lines).contains("ORIG " + SIZE + " " + expected);
        String dsn = lines.stream().filter(l -> l.startsWith("DSN ")).findFirst().orElseThrow();
        assertThat(Long.parseLong(dsn.split(" ")[1])).isGreaterThan(SIZE);
        long peak = Long.parseLong(lines.stream().filter(l -> l.startsWith("PEAKHEAP ")).findFirst()
                .orElseThrow().substring(9));
        System.out.printf("streaming (%s): %d MiB message and its RET=FULL DSN, peak heap %.1f MiB (limit %d MiB)%n",
                store, SIZE >> 20, peak / 1048576.0, HEAP >> 20);
        assertThat(peak).isLessThan(SIZE);
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) >= 0; ) {
            sha.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
