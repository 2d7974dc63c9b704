package io.stsdane.relay.testkit.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@link SmtpBehavior#handOff()} and {@link SmtpBehavior#otherRcptReply()} against a plain SMTP client. */
class TestSmtpServerHandOffTest {

    @Test
    void eachAcceptedMessageIsHandedOnWithItsEnvelopeAndBody() throws IOException {
        List<ReceivedTransaction> handedOn = new CopyOnWriteArrayList<>();
        try (TestSmtpServer s = TestSmtpServer.start(SmtpBehavior.builder().handOff(t -> {
            assertThat(t.recipients()).singleElement().asString().contains("a@example.test");
            handedOn.add(t);
        }).build())) {
            List<String> replies = session(s, "a@example.test");

            assertThat(replies).last().asString().startsWith("250");
            assertThat(handedOn).singleElement().satisfies(t -> {
                assertThat(t.mailFrom()).isEqualTo("FROM:<s@example.test>");
                assertThat(new String(t.data(), StandardCharsets.US_ASCII)).isEqualTo("Subject: x\r\n\r\nhi\r\n");
            });
        }
    }

    @Test
    void aFailedHandOffIsATemporaryFailure() throws IOException {
        try (TestSmtpServer s = TestSmtpServer.start(SmtpBehavior.builder().handOff(t -> {
            throw new IllegalStateException("mailbox down");
        }).build())) {
            assertThat(session(s, "a@example.test")).last().asString()
                    .isEqualTo("451 4.3.0 could not pass the message on: mailbox down");
        }
    }

    @Test
    void everyRecipientWithoutAReplyOfItsOwnGetsTheOtherReply() throws IOException {
        try (TestSmtpServer s = TestSmtpServer.start(SmtpBehavior.builder().otherRcptReply("550 5.1.1 no such user")
                .rcptReply("known@example.test", "250 2.1.5 ok").build())) {
            assertThat(rcptReply(s, "known@example.test")).isEqualTo("250 2.1.5 ok");
            assertThat(rcptReply(s, "anyone@example.test")).isEqualTo("550 5.1.1 no such user");
        }
    }

    private static String rcptReply(TestSmtpServer s, String rcpt) throws IOException {
        try (Socket c = new Socket(s.address(), s.port())) {
            BufferedReader in = reader(c);
            in.readLine();
            command(c, in, "HELO client.test");
            command(c, in, "MAIL FROM:<s@example.test>");
            return command(c, in, "RCPT TO:<" + rcpt + ">");
        }
    }

    /** One whole transaction; returns every reply after the greeting. */
    private static List<String> session(TestSmtpServer s, String rcpt) throws IOException {
        try (Socket c = new Socket(s.address(), s.port())) {
            BufferedReader in = reader(c);
            in.readLine();
            List<String> replies = new ArrayList<>();
            for (String cmd : List.of("HELO client.test", "MAIL FROM:<s@example.test>", "RCPT TO:<" + rcpt + ">",
                    "DATA", "Subject: x\r\n\r\nhi\r\n.")) {
                replies.add(command(c, in, cmd));
            }
            return replies;
        }
    }

    private static BufferedReader reader(Socket c) throws IOException {
        c.setSoTimeout(10_000);
        return new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII));
    }

    private static String command(Socket c, BufferedReader in, String line) throws IOException {
        OutputStream out = c.getOutputStream();
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return in.readLine();
    }
}
