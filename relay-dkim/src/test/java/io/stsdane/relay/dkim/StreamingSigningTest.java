package io.stsdane.relay.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.testkit.dkim.DkimTestKeys;
import io.stsdane.relay.testkit.dkim.DkimVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 35 MiB message is signed in a JVM with a 32 MiB heap: the body cannot have been held in memory. What the
 * queue got verifies with the independent verifier.
 */
class StreamingSigningTest {

    private static final long SIZE = 35L << 20;

    @TempDir
    Path dir;

    @Test
    void aMessageLargerThanTheHeapIsSignedAndVerifies() throws Exception {
        Path keyFile = DkimTestKeys.ed25519(dir, "big");
        Path out = dir.resolve("stored.eml");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), StreamingSignChild.class.getName(),
                keyFile.toString(), out.toString(), dir.resolve("spill").toString(), Long.toString(SIZE))
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();

        assertThat(child.exitValue()).as(Files.readString(dir.resolve("child.log"))).isZero();
        byte[] stored = Files.readAllBytes(out);
        assertThat(stored.length).isGreaterThan((int) SIZE);
        String record = DkimKey.load("big", keyFile).record();
        List<DkimVerifier.Result> results = new DkimVerifier(
                name -> name.equals("big._domainkey.example.com") ? Optional.of(record) : Optional.empty(),
                Instant.now()).verify(stored);
        assertThat(results).singleElement().satisfies(r -> assertThat(r.failure()).isEmpty());
        try (var spilled = Files.list(dir.resolve("spill"))) {
            assertThat(spilled).as("nothing left in the spill directory").isEmpty();
        }
    }
}
