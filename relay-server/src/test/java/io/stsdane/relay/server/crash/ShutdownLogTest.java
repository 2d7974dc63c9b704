package io.stsdane.relay.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console is written by a queue and a writer thread (logback-base.xml); a relay stopped by SIGTERM must
 * still write every line it logged, up to its very last one, before the JVM ends.
 */
class ShutdownLogTest {

    private static final int MESSAGES = 30;

    @TempDir
    Path dir;

    private CrashRig rig;
    private RelayProcess relay;

    @AfterEach
    void tearDown() {
        if (relay != null) {
            relay.destroy();
        }
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void sigtermWritesEveryLoggedLineUpToTheLast() throws Exception {
        rig = CrashRig.create(dir);
        rig.startDestination();
        relay = rig.startRelay();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            String reply = CrashRig.submit(rig.smtpPort(), "m" + i);
            assertThat(reply).startsWith("250 2.0.0 Ok: queued as ");
            ids.add(reply.substring("250 2.0.0 Ok: queued as ".length()).strip());
        }

        assertThat(relay.terminate()).isEqualTo(143);
        List<String> lines = relay.log().lines().toList();
        relay = null;
        for (String id : ids) {
            assertThat(lines).as("the intake's line for %s", id).anyMatch(l -> l.contains(" - queued " + id + " "));
        }
        assertThat(String.join("\n", lines)).containsSubsequence("Shutting down", "Stopping smtp-listener",
                "Stopping queue", "Stopping delivery-engine");
        assertThat(lines.get(lines.size() - 1)).endsWith(" - Stopped");
    }
}
