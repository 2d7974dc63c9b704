package io.stsdane.relay.smtp.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.stsdane.relay.core.net.Cidr;
import io.stsdane.relay.testkit.log.LogCapture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;

/** Attacks on the listener from clients that mean harm, each over real sockets. */
class HostileClientTest extends InboundTestBase {

    @Test
    void parallelSessionsFromOneAddressGetNoMorePasswordChecksThanTheLimit() throws Exception {
        // A slow hash (cost 10), as in production, so that the checks really overlap.
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Path users = Files.writeString(tmp.resolve("slow-users"),
                "alice:" + OpenBSDBCrypt.generate("2y", "secret".toCharArray(), salt, 10) + "\n");
        InboundServer server = start(b -> b.usersFile(users).authRequireTls(false)
                .authFailureLimit(5, Duration.ofMinutes(15)));
        List<SmtpClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                SmtpClient c = new SmtpClient(server.port());
                clients.add(c);
                c.hello();
            }
            for (SmtpClient c : clients) {
                c.send("AUTH PLAIN " + plain("alice", "guess") + "\r\n");
            }
            int checked = 0;
            int refused = 0;
            for (SmtpClient c : clients) {
                String r = c.reply();
                if (r.startsWith("535 5.7.8")) {
                    checked++;
                } else if (r.startsWith("454 4.7.0")) {
                    refused++;
                }
            }
            assertThat(checked).as("passwords checked").isEqualTo(5);
            assertThat(refused).isEqualTo(15);
        } finally {
            for (SmtpClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void anAllowedClientGetsASessionWhileOneAddressFloods() throws Exception {
        InboundServer server = start(b -> b.allowedNetworks(List.of(Cidr.parse("127.0.0.2/32"))).maxSessions(10)
                .maxSessionsPerIp(3));
        List<SmtpClient> flood = new ArrayList<>();
        try {
            int admitted = 0;
            for (int i = 0; i < 10; i++) {
                SmtpClient c = new SmtpClient(server.port(), "127.0.0.1");
                flood.add(c);
                String greeting = c.reply();
                if (greeting.startsWith("220")) {
                    admitted++;
                } else {
                    assertThat(greeting).startsWith("421 4.7.0 Too many connections from your address");
                }
            }
            assertThat(admitted).isEqualTo(3);
            // The allowed network is exempt from the per-address limit.
            List<SmtpClient> allowed = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    SmtpClient c = new SmtpClient(server.port(), "127.0.0.2");
                    allowed.add(c);
                    assertThat(c.reply()).startsWith("220");
                }
                assertThat(allowed.get(4).cmd("EHLO app.test")).startsWith("250");
            } finally {
                for (SmtpClient c : allowed) {
                    c.close();
                }
            }
        } finally {
            for (SmtpClient c : flood) {
                c.close();
            }
        }
    }

    @Test
    void anApplicationServerWithFiftyParallelSessionsIsNeverRefusedByDefault() throws Exception {
        // Not even from outside the allowed networks (a client that authenticates).
        InboundServer server = start(b -> b.allowedNetworks(List.of(Cidr.parse("192.0.2.0/24"))));
        List<SmtpClient> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                SmtpClient c = new SmtpClient(server.port());
                sessions.add(c);
                assertThat(c.reply()).startsWith("220");
            }
        } finally {
            for (SmtpClient c : sessions) {
                c.close();
            }
        }
    }

    @Test
    void aCommandSentOneByteAtATimeIsCutAtTheCommandDeadline() throws Exception {
        InboundServer server = start(b -> b.commandTimeout(Duration.ofMillis(500)));
        try (SmtpClient c = new SmtpClient(server.port())) {
            assertThat(c.reply()).startsWith("220");
            String answer = c.trickle("EHLO " + "x".repeat(200) + "\r\n", Duration.ofMillis(100));
            assertThat(answer).startsWith("421 4.4.2");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void dataSentSlowerThanTheMinimumRateIsCutAndNothingQueued() throws Exception {
        InboundServer server = start(b -> b.dataTimeout(Duration.ofMillis(500)).dataMinRate(1000));
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            c.cmd("MAIL FROM:<a@example.com>");
            c.cmd("RCPT TO:<b@example.org>");
            assertThat(c.cmd("DATA")).startsWith("354");
            String answer = c.trickle("Subject: slow\r\n\r\n" + "y".repeat(200) + "\r\n.\r\n", Duration.ofMillis(100));
            assertThat(answer).isNull();
        }
        // The session thread removes the partial file once it notices the cut.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(intake.files()).isEmpty());
        assertThat(intake.accepted()).isEmpty();
    }

    @Test
    void relayAttemptsCountAsBadCommandsAndEndTheSession() throws Exception {
        InboundServer server = start(b -> b.allowedNetworks(List.of(Cidr.parse("192.0.2.0/24"))).maxBadCommands(3));
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(c.cmd("MAIL FROM:<a@example.com>")).startsWith("250");
            for (int i = 0; i < 4; i++) {
                assertThat(c.cmd("RCPT TO:<victim" + i + "@example.org>")).startsWith("554 5.7.1");
            }
            assertThat(c.reply()).isEqualTo("421 4.7.0 Too many errors, closing connection");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void wrongPasswordsCountAsBadCommandsAndEndTheSession() throws Exception {
        Path users = usersFile();
        InboundServer server = start(b -> b.usersFile(users).authRequireTls(false).maxBadCommands(2)
                .authFailureLimit(10, Duration.ofMinutes(15)).authFailureDelay(Duration.ZERO, 4));
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            for (int i = 0; i < 3; i++) {
                assertThat(c.cmd("AUTH PLAIN " + plain("alice", "guess" + i))).startsWith("535 5.7.8");
            }
            assertThat(c.reply()).isEqualTo("421 4.7.0 Too many errors, closing connection");
        }
    }

    @Test
    void controlCharactersFromTheClientAreEscapedInTheLog() throws Exception {
        List<ILoggingEvent> logged;
        try (LogCapture log = LogCapture.of("io.stsdane.relay.smtp.inbound.internal.DataCommand", Level.INFO)) {
            InboundServer server = start();
            try (SmtpClient c = new SmtpClient(server.port())) {
                c.reply();
                c.send("EHLO a\u0000b\u0001\u001b[31mRED\r\n".getBytes(StandardCharsets.ISO_8859_1));
                assertThat(c.reply()).startsWith("250");
                assertThat(send(c, "a@example.com", "b@example.org", "Subject: x\r\n\r\nx\r\n")).startsWith("250");
                assertThat(send(c, "a@example.com", "b@example.org", "Subject: y\r\n\r\nbare\nLF\r\n"))
                        .startsWith("550 5.6.0");
            }
            logged = log.events();
        }
        assertThat(logged).hasSize(2);
        for (ILoggingEvent e : logged) {
            String line = e.getFormattedMessage();
            assertThat(line).contains("a\\x00b\\x01\\x1b[31mRED");
            assertThat(line.chars().noneMatch(ch -> ch < 0x20)).as("no control character in: %s", line).isTrue();
        }
        // The bare LF is the client's fault: INFO, not an error.
        assertThat(logged.get(1).getLevel()).isEqualTo(Level.INFO);
        assertThat(logged.get(1).getFormattedMessage()).startsWith("client fault: ");
    }

    @Test
    void postmasterWithoutADomainIsAcceptedEvenFromAClientThatMayNotRelay() throws Exception {
        InboundServer server = start(b -> b.allowedNetworks(List.of(Cidr.parse("192.0.2.0/24"))));
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(c.cmd("MAIL FROM:<someone@example.com>")).startsWith("250");
            assertThat(c.cmd("RCPT TO:<victim@example.org>")).startsWith("554 5.7.1");
            assertThat(c.cmd("RCPT TO:<PostMaster>")).startsWith("250");
            assertThat(c.cmd("DATA")).startsWith("354");
            c.send("Subject: your relay\r\n\r\nhello\r\n.\r\n");
            assertThat(c.reply()).startsWith("250");
        }
        assertThat(intake.only().envelope().recipients()).singleElement()
                .satisfies(r -> assertThat(r.address()).isEqualTo("postmaster@relay.test"));
    }
}
