package io.stsdane.relay.smtp.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.net.Cidr;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Never an open relay: allowed networks or AUTH, AUTH only over TLS, STARTTLS starts the session over. */
class RelayControlTest extends InboundTestBase {

    private static final String MESSAGE = "Subject: t\r\n\r\nbody\r\n";

    /** 127.0.0.1 is the only client address a test has: exclude it to play a stranger. */
    private InboundServer strangerServer(boolean requireTls) throws Exception {
        Path users = usersFile();
        return start(b -> b.allowedNetworks(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32")))
                .tls(SERVER.serverContext())
                .usersFile(users).authRequireTls(requireTls).authFailureLimit(3, Duration.ofHours(1)));
    }

    @Test
    void strangerWithoutAuthCannotRelay() throws Exception {
        InboundServer server = strangerServer(true);
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(c.cmd("MAIL FROM:<a@example.com>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<victim@example.org>"))
                    .isEqualTo("554 5.7.1 Relay access denied: authenticate first (AUTH after STARTTLS)");
            assertThat(c.cmd("DATA")).startsWith("554 5.5.1");
        }
        assertThat(intake.accepted()).isEmpty();
        assertThat(meters.counter("relay.inbound.messages.rejected", "reason", "relay-denied").count()).isEqualTo(1);
    }

    @Test
    void withoutAuthOfferedTheRefusalDoesNotAskForIt() throws Exception {
        InboundServer server = start(b -> b.allowedNetworks(List.of(Cidr.parse("10.0.0.0/8"))));
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            c.cmd("MAIL FROM:<a@example.com>");
            assertThat(c.cmd("RCPT TO:<victim@example.org>"))
                    .isEqualTo("554 5.7.1 Relay access denied: relaying denied for this client address");
        }
    }

    @Test
    void strangerAfterTlsWithoutAuthStillCannotRelay() throws Exception {
        InboundServer server = strangerServer(true);
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            c.startTls(CLIENT_TLS);
            c.cmd("EHLO client.test");
            c.cmd("MAIL FROM:<a@example.com>");
            assertThat(c.cmd("RCPT TO:<victim@example.org>")).startsWith("554 5.7.1");
        }
    }

    @Test
    void authOverPlaintextIsNeitherOfferedNorAcceptedWhenTlsIsRequired() throws Exception {
        InboundServer server = strangerServer(true);
        try (SmtpClient c = new SmtpClient(server.port())) {
            String ehlo = c.hello();
            assertThat(ehlo).contains("STARTTLS").doesNotContain("AUTH");
            assertThat(c.cmd("AUTH PLAIN " + plain("alice", "secret"))).startsWith("538 5.7.11");
            c.cmd("MAIL FROM:<a@example.com>");
            assertThat(c.cmd("RCPT TO:<victim@example.org>")).startsWith("554 5.7.1");
        }
    }

    @Test
    void authOverPlaintextWorksWhenTheOperatorAllowsIt() throws Exception {
        InboundServer server = strangerServer(false);
        try (SmtpClient c = new SmtpClient(server.port())) {
            assertThat(c.hello()).contains("AUTH PLAIN LOGIN");
            assertThat(c.cmd("AUTH PLAIN " + plain("alice", "secret"))).startsWith("235 2.7.0");
            assertThat(send(c, "alice@example.com", "b@example.org", MESSAGE)).startsWith("250");
        }
        assertThat(intake.only().text()).contains("(Authenticated sender: alice)", "with ESMTPA id");
    }

    @Test
    void authAfterStartTlsLetsTheStrangerRelayAndIsRecorded() throws Exception {
        InboundServer server = strangerServer(true);
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(c.startTls(CLIENT_TLS)).startsWith("220 2.0.0");
            String ehlo = c.cmd("EHLO client.test");
            assertThat(ehlo).contains("AUTH PLAIN LOGIN", "REQUIRETLS").doesNotContain("STARTTLS");
            assertThat(c.cmd("AUTH LOGIN")).isEqualTo("334 VXNlcm5hbWU6");
            assertThat(c.cmd(b64("bob"))).isEqualTo("334 UGFzc3dvcmQ6");
            assertThat(c.cmd(b64("hunter2"))).startsWith("235 2.7.0");
            assertThat(c.cmd("AUTH PLAIN " + plain("alice", "secret"))).startsWith("503 5.5.1");
            assertThat(c.cmd("MAIL FROM:<bob@example.com> REQUIRETLS")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<b@example.org>")).startsWith("250");
            assertThat(c.cmd("DATA")).startsWith("354");
            c.send(MESSAGE + ".\r\n");
            assertThat(c.reply()).startsWith("250");
        }
        var m = intake.only();
        assertThat(m.envelope().requireTls()).isTrue();
        assertThat(m.text()).containsPattern("\\(using TLSv1\\.[23] with cipher TLS_\\w+\\)");
        assertThat(m.text()).contains("(Authenticated sender: bob)", "with ESMTPSA id");
    }

    @Test
    void requireTlsIsRefusedWithoutTls() throws Exception {
        InboundServer server = start(b -> b.tls(SERVER.serverContext()));
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(c.cmd("MAIL FROM:<a@example.com> REQUIRETLS")).startsWith("530 5.7.10");
        }
    }

    @Test
    void startTlsForgetsEhloAuthAndTheTransaction() throws Exception {
        InboundServer server = strangerServer(false);
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(c.cmd("AUTH PLAIN " + plain("alice", "secret"))).startsWith("235");
            assertThat(c.cmd("MAIL FROM:<a@example.com>")).startsWith("250");
            c.startTls(CLIENT_TLS);
            assertThat(c.cmd("RCPT TO:<b@example.org>")).startsWith("503 5.5.1");
            assertThat(c.cmd("MAIL FROM:<a@example.com>")).startsWith("503 5.5.1 Send EHLO first");
            c.cmd("EHLO client.test");
            assertThat(c.cmd("STARTTLS")).startsWith("503 5.5.1");
            assertThat(c.cmd("MAIL FROM:<a@example.com>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<b@example.org>")).startsWith("554 5.7.1");
        }
    }

    @Test
    void commandsPipelinedAfterStartTlsAreNotExecuted() throws Exception {
        InboundServer server = strangerServer(false);
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            c.send("STARTTLS\r\nAUTH PLAIN " + plain("alice", "secret") + "\r\n");
            assertThat(c.reply()).startsWith("421 4.7.0");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void failedAuthIsRateLimitedPerAddress() throws Exception {
        InboundServer server = strangerServer(false);
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(c.cmd("AUTH PLAIN " + plain("alice", "wrong"))).startsWith("535 5.7.8");
            assertThat(c.cmd("AUTH PLAIN " + plain("nobody", "secret"))).startsWith("535 5.7.8");
            assertThat(c.cmd("AUTH PLAIN")).isEqualTo("334 ");
            assertThat(c.cmd(plain("bob", "secret"))).startsWith("535 5.7.8");
            assertThat(c.cmd("AUTH PLAIN " + plain("alice", "secret"))).startsWith("454 4.7.0");
        }
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(c.cmd("AUTH PLAIN " + plain("alice", "secret"))).startsWith("454 4.7.0");
            c.cmd("MAIL FROM:<a@example.com>");
            assertThat(c.cmd("RCPT TO:<victim@example.org>")).startsWith("554 5.7.1");
        }
    }

    @Test
    void malformedAuthExchangesAreRefused() throws Exception {
        InboundServer server = strangerServer(false);
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(c.cmd("AUTH CRAM-MD5")).startsWith("504 5.5.4");
            assertThat(c.cmd("AUTH PLAIN !!!notbase64")).startsWith("501 5.5.2");
            assertThat(c.cmd("AUTH LOGIN")).startsWith("334");
            assertThat(c.cmd("*")).startsWith("501 5.0.0");
        }
    }

    @Test
    void allowedNetworkRelaysWithoutAuth() throws Exception {
        InboundServer server = start(b -> b.allowedNetworks(
                List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("127.0.0.1/32"))));
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(send(c, "a@example.com", "b@example.org", MESSAGE)).startsWith("250");
        }
        assertThat(intake.accepted()).hasSize(1);
    }

    private static String b64(String s) {
        return java.util.Base64.getEncoder().encodeToString(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
