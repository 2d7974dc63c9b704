package io.stsdane.relay.smtp.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** SMTP smuggling: only CRLF.CRLF ends DATA, and no setting lets a second message hide inside the first. */
class SmugglingTest extends InboundTestBase {

    private static final String HEAD = "Subject: first\r\nMessage-ID: <a@x>\r\nDate: Sat, 1 Jan 2022 00:00:00 +0000\r\n"
            + "\r\nbody";
    private static final String SMUGGLED = "MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n"
            + "Subject: smuggled\r\n\r\nhi\r\n";

    @ParameterizedTest(name = "end-of-data lookalike {0} is refused")
    @ValueSource(strings = {"\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\n"})
    void fakeEndOfDataIsRejectedAndNothingIsQueued(String fakeEnd) throws Exception {
        InboundServer server = start();
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            c.cmd("MAIL FROM:<a@example.com>");
            c.cmd("RCPT TO:<b@example.org>");
            assertThat(c.cmd("DATA")).startsWith("354");
            c.send(HEAD + fakeEnd + SMUGGLED + "\r\n.\r\n");
            assertThat(c.reply()).startsWith("550 5.6.0").contains("bare CR or LF");
            assertThat(c.cmd("NOOP")).startsWith("250");
        }
        assertThat(intake.accepted()).isEmpty();
        assertThat(intake.files()).isEmpty();
    }

    @ParameterizedTest(name = "with normalization, {0} becomes one message with CRLF")
    @ValueSource(strings = {"\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\n"})
    void normalizingNeverSplitsTheMessage(String fakeEnd) throws Exception {
        InboundServer server = start(b -> b.bareLineEndings(BareLineEndings.NORMALIZE));
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            c.cmd("MAIL FROM:<a@example.com>");
            c.cmd("RCPT TO:<b@example.org>");
            c.cmd("DATA");
            c.send(HEAD + fakeEnd + SMUGGLED + ".\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0");
            assertThat(c.cmd("NOOP")).startsWith("250");
        }
        String text = intake.only().text();
        // The smuggled commands stay inside the one message. (For "\r\n.\n" the dot is removed as dot-stuffing:
        // with CRLF as the only line end, that line is "." followed by more characters, RFC 5321 4.5.2.)
        assertThat(text).contains("\r\nbody\r\n").endsWith("\r\n" + SMUGGLED);
        assertThat(text.replace("\r\n", "")).doesNotContain("\r", "\n");
        assertThat(intake.only().envelope().sender()).isEqualTo("a@example.com");
    }

    @Test
    void bareLfInTheHeaderIsRejected() throws Exception {
        InboundServer server = start();
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(send(c, "a@example.com", "b@example.org", "Subject: x\nBcc: y\r\n\r\nbody\r\n"))
                    .startsWith("550 5.6.0");
        }
        assertThat(intake.accepted()).isEmpty();
    }

    @Test
    void lineLongerThan998OctetsIsRejected() throws Exception {
        InboundServer server = start();
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(send(c, "a@example.com", "b@example.org", "Subject: x\r\n\r\n" + "a".repeat(998) + "\r\n"))
                    .startsWith("250");
            assertThat(send(c, "a@example.com", "b@example.org", "Subject: x\r\n\r\n" + "a".repeat(999) + "\r\n"))
                    .startsWith("550 5.6.0").contains("998");
        }
        assertThat(intake.accepted()).hasSize(1);
    }

    @Test
    void clientDisconnectingMidDataLeavesNothingQueued() throws Exception {
        InboundServer server = start();
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            c.cmd("MAIL FROM:<a@example.com>");
            c.cmd("RCPT TO:<b@example.org>");
            c.cmd("DATA");
            c.send("Subject: cut\r\n\r\n" + "line\r\n".repeat(10_000));
        }
        // Wait until the session noticed: a new session is served once the old one is gone.
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(send(c, "a@example.com", "b@example.org", "Subject: next\r\n\r\nok\r\n")).startsWith("250");
        }
        org.awaitility.Awaitility.await().until(() -> intake.files().size() == 1);
        assertThat(intake.only().text()).contains("Subject: next");
        assertThat(intake.files()).hasSize(1);
    }
}
