package io.stsdane.relay.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.stsdane.relay.server.admin.AdminJson;

import io.stsdane.relay.testkit.dkim.DkimVerifier;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.smtp.ReceivedTransaction;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * DKIM through the real relay: a client pipelines its transaction with dot-stuffed and long lines, the relay
 * signs at intake and delivers over SMTP to a real receiver, and the independent test verifier passes every
 * signature on the octets that arrived.
 */
class DkimSigningTest {

    @TempDir
    Path dir;

    private SenderKeys keys;
    private DnsTestServer dns;
    private TestSmtpServer destination;
    private RunningRelay relay;

    @BeforeEach
    void setUp() throws Exception {
        destination = TestSmtpServer.start(SmtpBehavior.plain());
        dns = ExampleDestination.dns();
        keys = SenderKeys.create(dir);
        relay = RunningRelay.start(dir, RunningRelay.signedDnsDeliveryYaml(dns, dir, destination.port()) + keys.yaml());
    }

    @AfterEach
    void tearDown() {
        if (relay != null) {
            relay.close();
        }
        destination.close();
        dns.close();
    }

    @Test
    void pipelinedMessageWithDotStuffingAndLongLinesVerifiesAfterDelivery() throws Exception {
        String longLine = "x".repeat(990) + " \t end";
        String body = "first line\r\n"
                + ".a line that starts with a dot\r\n"
                + "..two dots\r\n"
                + ".\tdot and tab\r\n"
                + longLine + "\r\n"
                + "trailing   spaces   \r\n"
                + "\r\n\r\n";
        String message = "From: \"App, Inc.\" <app@sender.test>\r\n"
                + "To: alice@example.test\r\n"
                + "Subject: a long subject that the client folded\r\n"
                + " onto a second line\r\n"
                + "Date: Mon, 7 Dec 2026 09:00:00 +0000\r\n"
                + "\r\n" + body;

        Logger deliveryLog = (Logger) LoggerFactory.getLogger("relay.delivery");
        ListAppender<ILoggingEvent> attempts = new ListAppender<>();
        attempts.start();
        Level level = deliveryLog.getLevel();
        deliveryLog.setLevel(Level.INFO);
        deliveryLog.addAppender(attempts);
        List<String> replies;
        try {
            replies = pipeline(relay.smtpPort(), "app@sender.test", "alice@example.test", message);
            assertThat(destination.awaitTransactions(1, Duration.ofSeconds(30))).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> !attempts.list.isEmpty());
        } finally {
            deliveryLog.detachAppender(attempts);
            deliveryLog.setLevel(level);
        }

        assertThat(replies).last().asString().startsWith("250");
        ReceivedTransaction arrived = destination.transactions().get(0);
        String text = new String(arrived.data(), StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("DKIM-Signature: v=1; a=rsa-sha256;").endsWith(body).contains(longLine);
        List<DkimVerifier.Result> results = keys.verifier().verify(arrived.data());
        assertThat(results).extracting(DkimVerifier.Result::selector).containsExactly("rsa1", "ed1");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.failure()).isEmpty();
            // The Message-ID the relay added is signed too.
            assertThat(r.signedHeaders()).contains("message-id", "subject", "to", "date");
        });
        assertThat(AdminJson.MAPPER.readTree(attempts.list.get(0).getFormattedMessage()).get("dkim").asText())
                .isEqualTo("d=sender.test s=rsa1 a=rsa-sha256, d=sender.test s=ed1 a=ed25519-sha256");
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + relay.adminPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics)
                .contains("relay_dkim_signed_total{algorithm=\"rsa-sha256\",domain=\"sender.test\"} 1.0")
                .contains("relay_dkim_signed_total{algorithm=\"ed25519-sha256\",domain=\"sender.test\"} 1.0")
                .contains("relay_dkim_failures_total{domain=\"sender.test\",reason=\"sender-not-allowed\"} 0.0");
    }

    @Test
    void mailOfAnUnconfiguredDomainArrivesUnsigned() throws Exception {
        String message = "From: other@elsewhere.test\r\nTo: alice@example.test\r\nSubject: hi\r\n\r\nbody\r\n";

        assertThat(pipeline(relay.smtpPort(), "other@elsewhere.test", "alice@example.test", message)).last()
                .asString().startsWith("250");

        assertThat(destination.awaitTransactions(1, Duration.ofSeconds(30))).isTrue();
        String text = new String(destination.transactions().get(0).data(), StandardCharsets.ISO_8859_1);
        assertThat(text).doesNotContain("DKIM-Signature").endsWith(message);
    }

    /**
     * One write for the whole transaction (RFC 2920 lets a client send MAIL, RCPT and DATA without waiting; the
     * message follows once DATA is answered), the message dot-stuffed; returns the replies in order.
     */
    private static List<String> pipeline(int port, String from, String to, String message) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            List<String> replies = new ArrayList<>();
            replies.add(reply(in));
            out.write(("EHLO client.test\r\nMAIL FROM:<" + from + ">\r\nRCPT TO:<" + to + ">\r\nDATA\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            for (int i = 0; i < 4; i++) {
                replies.add(reply(in));
            }
            String stuffed = message.replaceAll("(?m)^\\.", "..");
            out.write((stuffed + ".\r\nQUIT\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            replies.add(reply(in));
            return replies;
        }
    }

    private static String reply(BufferedReader in) throws Exception {
        String line;
        do {
            line = in.readLine();
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return line;
    }
}
