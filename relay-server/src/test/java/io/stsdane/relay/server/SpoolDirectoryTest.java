package io.stsdane.relay.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.stsdane.relay.testkit.log.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolDirectoryTest {

    @TempDir
    Path tmp;

    private final LogCapture log = LogCapture.of(SpoolDirectory.class);

    @AfterEach
    void release() {
        log.close();
    }

    @Test
    void aNewSpoolIsCreated0750WithoutAWarning() throws Exception {
        Path spool = tmp.resolve("spool");
        SpoolDirectory.prepare(spool);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(spool))).isEqualTo("rwxr-x---");
        assertThat(log.events()).isEmpty();
    }

    @Test
    void anExistingSpoolOpenToOthersIsReportedAtStart() throws Exception {
        Path spool = Files.createDirectory(tmp.resolve("spool"));
        Files.setPosixFilePermissions(spool, PosixFilePermissions.fromString("rwxr-xr-x"));
        SpoolDirectory.prepare(spool);
        assertThat(log.events()).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("rwxr-xr-x", "chmod 0750");
        });
    }
}
