package io.stsdane.relay.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One message through every module: SMTP listener, durable spool, scheduler, MX lookup over real DNS with
 * in-process DNSSEC validation, policy decision, Netty delivery to GreenMail as the destination MX.
 */
class WalkingSkeletonTest {

    @TempDir
    Path dir;

    private DnsTestServer dns;
    private GreenMail destination;
    private RunningRelay relay;

    @BeforeEach
    void setUp() throws Exception {
        destination = new GreenMail(new ServerSetup(0, "127.0.0.1", "smtp").dynamicPort());
        destination.start();
        dns = ExampleDestination.dns();
        relay = RunningRelay.start(dir, RunningRelay.signedDnsDeliveryYaml(dns, dir, destination.getSmtp().getPort()));
    }

    @AfterEach
    void tearDown() {
        if (relay != null) {
            relay.close();
        }
        destination.stop();
        dns.close();
    }

    @Test
    void aSubmittedMessageArrivesAtTheMxByteForByteAndLeavesTheSpoolEmpty() throws Exception {
        String message = "From: app@sender.test\r\n"
                + "To: alice@example.test\r\n"
                + "Subject: walking skeleton\r\n"
                + "Message-ID: <skeleton-1@sender.test>\r\n"
                + "Date: Sat, 28 Nov 2026 12:00:00 +0000\r\n"
                + "\r\n"
                + "first line\r\n"
                + ".a line that starts with a dot\r\n"
                + "\r\n"
                + "last line\r\n";

        String reply = SmtpSubmission.send(relay.smtpPort(), "app@sender.test", List.of("alice@example.test"), message);

        assertThat(reply).startsWith("250");
        await().atMost(Duration.ofSeconds(30)).until(() -> destination.getReceivedMessages().length == 1);
        MimeMessage received = destination.getReceivedMessages()[0];
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        received.writeTo(raw);
        // GreenMail keeps the message without the CRLF that precedes the terminating dot.
        String arrived = raw.toString(StandardCharsets.UTF_8) + "\r\n";
        assertThat(arrived).endsWith(message);
        String relayReceived = arrived.substring(0, arrived.length() - message.length());
        assertThat(relayReceived).contains("Received: from client.test").contains("by relay.test");
        assertThat(received.getAllRecipients()).extracting(Object::toString).containsExactly("alice@example.test");
        await().atMost(Duration.ofSeconds(10)).until(() -> relay.queuedMessages() == 0);
    }
}
