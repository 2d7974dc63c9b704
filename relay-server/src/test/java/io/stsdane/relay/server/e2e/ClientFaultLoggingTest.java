package io.stsdane.relay.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.stsdane.relay.testkit.log.LogCapture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages a client gets refused for their content are the client's fault, not spool errors in the log. */
class ClientFaultLoggingTest {

    @TempDir
    Path dir;

    @Test
    void refusedContentIsNotLoggedAsASpoolError() throws Exception {
        try (LogCapture log = LogCapture.root()) {
            try (RunningRelay relay = RunningRelay.start(dir, "  max-message-size: 2KiB\n", "")) {
                List<String> to = List.of("alice@example.test");
                assertThat(SmtpSubmission.send(relay.smtpPort(), "app@sender.test", to,
                        "Subject: bare\r\n\r\nbare\nLF\r\n")).startsWith("550 5.6.0");
                assertThat(SmtpSubmission.send(relay.smtpPort(), "app@sender.test", to,
                        "Subject: long\r\n\r\n" + "x".repeat(1000) + "\r\n")).startsWith("550 5.6.0");
                assertThat(SmtpSubmission.send(relay.smtpPort(), "app@sender.test", to,
                        "Subject: big\r\n\r\n" + "y".repeat(70).concat("\r\n").repeat(40))).startsWith("552 5.3.4");
                assertThat(relay.queuedMessages()).isZero();
            }
            assertThat(log.messages(Level.ERROR)).isEmpty();
        }
    }
}
