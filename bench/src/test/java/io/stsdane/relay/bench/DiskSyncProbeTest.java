package io.stsdane.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSyncProbeTest {

    @TempDir
    Path dir;

    @Test
    void measuresBothSyncKindsAndLeavesNoFilesBehind() throws Exception {
        DiskSyncProbe.Rates r = new DiskSyncProbe(dir, 2, 4096, Duration.ofMillis(200)).measure();

        assertThat(r.fsyncPerSecond()).isPositive();
        assertThat(r.fdatasyncPerSecond()).isPositive();
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }
}
