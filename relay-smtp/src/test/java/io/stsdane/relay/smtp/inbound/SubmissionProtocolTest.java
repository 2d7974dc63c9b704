package io.stsdane.relay.smtp.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.queue.Notify;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.queue.Ret;
import io.stsdane.relay.core.testing.CapturingIntake;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SubmissionProtocolTest extends InboundTestBase {

    private static final String MESSAGE = "From: a@example.com\r\nTo: b@example.org\r\nSubject: hi\r\n"
            + "Message-ID: <m1@example.com>\r\nDate: Sat, 1 Jan 2022 00:00:00 +0000\r\n\r\nHello\r\n";

    @Test
    void ehloAdvertisesEveryExtensionButTlsOnesWithoutTls() throws Exception {
        InboundServer server = start();
        try (SmtpClient c = new SmtpClient(server.port())) {
            String ehlo = c.hello();
            assertThat(ehlo).contains("250-SIZE 36700160", "250-PIPELINING", "250-8BITMIME", "250-SMTPUTF8",
                    "250-ENHANCEDSTATUSCODES", "DSN");
            assertThat(ehlo).doesNotContain("STARTTLS", "REQUIRETLS", "AUTH");
        }
    }

    @Test
    void messageIsQueuedWithReceivedHeaderAndEnvelope() throws Exception {
        InboundServer server = start();
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            String reply = send(c, "a@example.com", "b@example.org", MESSAGE);
            assertThat(reply).isEqualTo("250 2.0.0 Ok: queued as " + intake.only().id().value());
        }
        CapturingIntake.Accepted m = intake.only();
        assertThat(m.envelope().sender()).isEqualTo("a@example.com");
        assertThat(m.envelope().recipients()).containsExactly(Recipient.of("b@example.org"));
        assertThat(m.envelope().client()).isEqualTo("[127.0.0.1] client.test");
        assertThat(m.text()).startsWith("Received: from client.test ([127.0.0.1])\r\n\tby relay.test with ESMTP id "
                + m.id().value() + "\r\n\tfor <b@example.org>; ");
        assertThat(m.text()).endsWith("\r\n" + MESSAGE);
        assertThat(m.text().split("Message-ID", -1)).hasSize(2);
        assertThat(m.text().split("\r\nDate:", -1)).hasSize(2);
        assertThat(intake.files()).hasSize(1);
    }

    @Test
    void messageIdAndDateAreAddedWhenMissingAndOnlyThen() throws Exception {
        InboundServer server = start();
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(send(c, "a@example.com", "b@example.org", "Subject: bare\r\n\r\nbody\r\n"))
                    .startsWith("250");
        }
        String text = intake.only().text();
        assertThat(text).containsPattern("\r\nMessage-ID: <Q1\\.[0-9a-f]{16}@relay\\.test>\r\n");
        assertThat(text).containsPattern("\r\nDate: \\w{3}, \\d{1,2} \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\r\n");
        assertThat(text).endsWith("\r\nSubject: bare\r\n\r\nbody\r\n");
    }

    @Test
    void messageIdAndDateAreNotAddedWhenDisabled() throws Exception {
        InboundServer server = start(b -> b.addMessageId(false).addDate(false));
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(send(c, "a@example.com", "b@example.org", "Subject: bare\r\n\r\nbody\r\n"))
                    .startsWith("250");
        }
        assertThat(intake.only().text()).doesNotContain("Message-ID").doesNotContain("\r\nDate:");
    }

    @Test
    void pipelinedTransactionInOneWriteIsAnsweredInOrder() throws Exception {
        InboundServer server = start();
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            c.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<bad address>\r\n"
                    + "RCPT TO:<c@example.org>\r\nDATA\r\n");
            assertThat(c.reply()).startsWith("250 2.1.0");
            assertThat(c.reply()).startsWith("250 2.1.5");
            assertThat(c.reply()).startsWith("501 5.1.3");
            assertThat(c.reply()).startsWith("250 2.1.5");
            assertThat(c.reply()).startsWith("354");
            c.send(MESSAGE + ".\r\nMAIL FROM:<x@example.com>\r\nRCPT TO:<y@example.org>\r\nQUIT\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0");
            assertThat(c.reply()).startsWith("250 2.1.0");
            assertThat(c.reply()).startsWith("250 2.1.5");
            assertThat(c.reply()).startsWith("221");
        }
        assertThat(intake.only().envelope().recipients()).extracting(Recipient::address)
                .containsExactly("b@example.org", "c@example.org");
    }

    @Test
    void dotStuffedLinesRoundTripByteExact() throws Exception {
        InboundServer server = start();
        String original = "Subject: dots\r\nMessage-ID: <d@x>\r\nDate: Sat, 1 Jan 2022 00:00:00 +0000\r\n\r\n"
                + ".\r\n..\r\n.leading dot\r\n. \r\nmiddle . dot\r\n...\r\n";
        String stuffed = original.replace("\r\n.", "\r\n..");
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(send(c, "a@example.com", "b@example.org", stuffed)).startsWith("250");
        }
        assertThat(intake.only().text()).endsWith("\r\n" + original);
    }

    @Test
    void dsnAndUtf8ParametersReachTheEnvelope() throws Exception {
        InboundServer server = start();
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(c.cmd("MAIL FROM:<a@example.com> RET=HDRS ENVID=abc+2Bdef SMTPUTF8 BODY=8BITMIME SIZE=100"))
                    .startsWith("250");
            assertThat(c.cmd("RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+40example.org"))
                    .startsWith("250");
            assertThat(c.cmd("RCPT TO:<jürgen@bücher.example> NOTIFY=NEVER")).startsWith("250");
            assertThat(c.cmd("DATA")).startsWith("354");
            c.send(MESSAGE + ".\r\n");
            assertThat(c.reply()).startsWith("250");
        }
        var env = intake.only().envelope();
        assertThat(env.ret()).isEqualTo(Ret.HDRS);
        assertThat(env.envid()).isEqualTo("abc+2Bdef");
        assertThat(env.smtpUtf8()).isTrue();
        assertThat(env.eightBitMime()).isTrue();
        assertThat(env.requireTls()).isFalse();
        assertThat(env.recipients()).containsExactly(
                new Recipient("b@example.org", Set.of(Notify.SUCCESS, Notify.FAILURE), "rfc822;b+40example.org"),
                new Recipient("jürgen@xn--bcher-kva.example", Set.of(Notify.NEVER), null));
        assertThat(intake.only().text()).contains("with UTF8SMTP id");
    }

    @Test
    void sequenceErrorsAreExplained() throws Exception {
        InboundServer server = start();
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.reply();
            assertThat(c.cmd("MAIL FROM:<a@example.com>")).startsWith("503 5.5.1");
            c.cmd("EHLO client.test");
            assertThat(c.cmd("RCPT TO:<b@example.org>")).startsWith("503 5.5.1");
            assertThat(c.cmd("DATA")).startsWith("503 5.5.1");
            assertThat(c.cmd("MAIL FROM:<a@example.com>")).startsWith("250");
            assertThat(c.cmd("MAIL FROM:<a@example.com>")).startsWith("503 5.5.1");
            assertThat(c.cmd("DATA")).startsWith("554 5.5.1 No valid recipients");
            assertThat(c.cmd("RSET")).startsWith("250 2.0.0");
            assertThat(c.cmd("MAIL FROM:<> SIZE=10")).startsWith("250");
            assertThat(c.cmd("MAIL FROM:<a@example.com> FOO=BAR")).startsWith("503");
            assertThat(c.cmd("RSET")).startsWith("250");
            assertThat(c.cmd("MAIL FROM:<a@example.com> FOO=BAR")).startsWith("555 5.5.4");
            assertThat(c.cmd("BDAT 10 LAST")).startsWith("502 5.5.1");
            assertThat(c.cmd("NOOP")).startsWith("250");
        }
        assertThat(intake.accepted()).isEmpty();
    }

    @Test
    void heloClientsGetPlainSmtpWithoutParameters() throws Exception {
        InboundServer server = start();
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.reply();
            assertThat(c.cmd("HELO old.client")).isEqualTo("250 relay.test greets [127.0.0.1]");
            assertThat(c.cmd("MAIL FROM:<a@example.com> SIZE=10")).startsWith("555 5.5.4");
            assertThat(send(c, "a@example.com", "b@example.org", MESSAGE)).startsWith("250");
        }
        assertThat(intake.only().text()).contains("by relay.test with SMTP id");
    }

    @Test
    void queueFailureGivesItsReplyAndLeavesNothing() throws Exception {
        InboundServer server = start();
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            intake.brokenDisk(true);
            assertThat(send(c, "a@example.com", "b@example.org", MESSAGE)).startsWith("451 4.3.0");
            intake.full(true);
            assertThat(c.cmd("MAIL FROM:<a@example.com>")).startsWith("452 4.3.1");
        }
        assertThat(intake.accepted()).isEmpty();
        assertThat(intake.files()).isEmpty();
    }
}
