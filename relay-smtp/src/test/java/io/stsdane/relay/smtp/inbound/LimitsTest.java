package io.stsdane.relay.smtp.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Every limit answers with its documented code and never leaves a partial message. */
class LimitsTest extends InboundTestBase {

    @Test
    void declaredSizeOverTheLimitIsRefusedAtMail() throws Exception {
        InboundServer server = start(b -> b.maxMessageSize(1000));
        try (SmtpClient c = new SmtpClient(server.port())) {
            assertThat(c.hello()).contains("SIZE 1000");
            assertThat(c.cmd("MAIL FROM:<a@example.com> SIZE=1001")).startsWith("552 5.3.4");
            assertThat(c.cmd("MAIL FROM:<a@example.com> SIZE=1000")).startsWith("250");
        }
    }

    @Test
    void dataOverTheLimitIsRefusedAfterDraining() throws Exception {
        InboundServer server = start(b -> b.maxMessageSize(10_000));
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            String big = "Subject: big\r\n\r\n" + "0123456789012345678\r\n".repeat(1000);
            assertThat(send(c, "a@example.com", "b@example.org", big)).startsWith("552 5.3.4");
            // The rest of DATA was drained, not read as commands: the session is in sync.
            assertThat(c.cmd("NOOP")).startsWith("250");
            assertThat(send(c, "a@example.com", "b@example.org", "Subject: small\r\n\r\nok\r\n")).startsWith("250");
        }
        assertThat(intake.only().text()).contains("Subject: small");
        assertThat(intake.files()).hasSize(1);
    }

    @Test
    void messageNearTheDefaultLimitStreamsThroughIntact() throws Exception {
        InboundServer server = start();
        String line = "x".repeat(998) + "\r\n";
        int lines = 34 * 1024;
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            c.cmd("MAIL FROM:<a@example.com> SIZE=" + (lines * 1000L + 100));
            c.cmd("RCPT TO:<b@example.org>");
            assertThat(c.cmd("DATA")).startsWith("354");
            c.send("Subject: big\r\n\r\n");
            byte[] chunk = line.repeat(1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int i = 0; i < lines / 1024; i++) {
                c.send(chunk);
            }
            c.send(".\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0");
        }
        String text = intake.only().text();
        String body = line.repeat(lines);
        // Booleans, so that a failure does not print 34 MiB.
        assertThat(text.endsWith("\r\nSubject: big\r\n\r\n" + body)).as("body intact").isTrue();
    }

    @Test
    void tooManyRecipientsAreDeferred() throws Exception {
        InboundServer server = start(b -> b.maxRecipients(2));
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            c.cmd("MAIL FROM:<a@example.com>");
            assertThat(c.cmd("RCPT TO:<1@example.org>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<2@example.org>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<3@example.org>")).startsWith("452 4.5.3");
        }
    }

    @Test
    void sessionsBeyondTheLimitGet421() throws Exception {
        InboundServer server = start(b -> b.maxSessions(2));
        try (SmtpClient a = new SmtpClient(server.port()); SmtpClient b = new SmtpClient(server.port())) {
            a.hello();
            b.hello();
            try (SmtpClient third = new SmtpClient(server.port())) {
                assertThat(third.reply()).startsWith("421 4.7.0");
                assertThat(third.closedByServer()).isTrue();
            }
        }
        // The server frees a slot when it notices the close, which may be a moment after ours.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (SmtpClient again = new SmtpClient(server.port())) {
                assertThat(again.reply()).startsWith("220");
            }
        });
    }

    @Test
    void tooManyBadCommandsCloseTheSession() throws Exception {
        InboundServer server = start(b -> b.maxBadCommands(3));
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(c.cmd("XYZZY")).startsWith("500 5.5.2");
            assertThat(c.cmd("RCPT TO:<a@example.org>")).startsWith("503");
            assertThat(c.cmd("STARTXX")).startsWith("500 5.5.2");
            assertThat(c.cmd("FOOBAR")).isEqualTo("500 5.5.2 Command not recognized");
            assertThat(c.reply()).isEqualTo("421 4.7.0 Too many errors, closing connection");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void idleClientIsDisconnected() throws Exception {
        InboundServer server = start(b -> b.commandTimeout(Duration.ofMillis(300)));
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            // One reply, the watchdog's, then the close: not a second 421 from the socket timeout as well.
            assertThat(c.reply()).startsWith("421 4.4.2");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void stalledDataIsAbandonedAndNothingQueued() throws Exception {
        InboundServer server = start(b -> b.dataTimeout(Duration.ofMillis(300)));
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            c.cmd("MAIL FROM:<a@example.com>");
            c.cmd("RCPT TO:<b@example.org>");
            c.cmd("DATA");
            c.send("Subject: stalled\r\n\r\npart");
            assertThat(c.reply()).startsWith("421 4.4.2");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(intake.accepted()).isEmpty();
        assertThat(intake.files()).isEmpty();
    }
}
