package io.stsdane.relay.smtp.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * InboundServer.stop() drains: a message already being spooled gets its 250 before the session closes, so the
 * client does not send it again; everything else gets 421 4.3.2 (RFC 3463 §3.4, RFC 5321 §3.8).
 */
class DrainTest extends InboundTestBase {

    private static final String SHUTTING_DOWN = "421 4.3.2 relay.test shutting down";
    private static final String MESSAGE = "Subject: drain\r\n\r\nbody\r\n";

    private HeldIntake held;
    private final List<SmtpClient> clients = new ArrayList<>();

    @BeforeEach
    void holdTheQueue() {
        held = new HeldIntake(intake);
    }

    @AfterEach
    void releaseAndClose() throws IOException {
        held.release();
        for (SmtpClient c : clients) {
            c.close();
        }
    }

    @Test
    void messageBeingSpooledAtStopGetsItsReplyThenTheConnectionCloses() throws Exception {
        InboundServer server = start(held, b -> b.drainTimeout(Duration.ofMinutes(5)));
        SmtpClient spooling = sendHeldMessage(server);

        CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::stop);
        awaitDraining(server);
        held.release();

        assertThat(spooling.reply()).startsWith("250 2.0.0 Ok: queued as");
        assertThat(spooling.reply()).isEqualTo(SHUTTING_DOWN);
        assertThat(spooling.closedByServer()).isTrue();
        stopped.get(30, TimeUnit.SECONDS);
        assertThat(intake.only().text()).contains("Subject: drain");
    }

    @Test
    void commandStartingATransactionDuringDrainGets421AndNothingIsQueued() throws Exception {
        InboundServer server = start(held, b -> b.drainTimeout(Duration.ofMinutes(5)));
        SmtpClient atMail = client(server);
        atMail.hello();
        assertThat(atMail.cmd("MAIL FROM:<late@example.com>")).startsWith("250");
        sendHeldMessage(server);

        CompletableFuture.runAsync(server::stop);
        awaitDraining(server);

        assertThat(atMail.cmd("RCPT TO:<x@example.org>")).isEqualTo(SHUTTING_DOWN);
        assertThat(atMail.closedByServer()).isTrue();
        held.release();
        await().atMost(Duration.ofSeconds(30)).until(() -> intake.accepted().size() == 1);
        assertThat(intake.only().envelope().sender()).doesNotContain("late@");
    }

    @Test
    void idleSessionIsClosedWith421WithoutWaitingForTheDrainTimeout() throws Exception {
        InboundServer server = start(b -> b.drainTimeout(Duration.ofMinutes(5)));
        SmtpClient idle = client(server);
        idle.hello();

        CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::stop);

        assertThat(idle.reply()).isEqualTo(SHUTTING_DOWN);
        assertThat(idle.closedByServer()).isTrue();
        stopped.get(30, TimeUnit.SECONDS);
    }

    @Test
    void newConnectionDuringDrainGets421AndIsClosed() throws Exception {
        InboundServer server = start(held, b -> b.drainTimeout(Duration.ofMinutes(5)));
        sendHeldMessage(server);

        CompletableFuture.runAsync(server::stop);
        awaitDraining(server);

        SmtpClient late = client(server);
        assertThat(late.reply()).isEqualTo(SHUTTING_DOWN);
        assertThat(late.closedByServer()).isTrue();
    }

    @Test
    void drainTimeoutCutsAStuckSessionWithoutAcknowledgingItsMessage() throws Exception {
        InboundServer server = start(held, b -> b.drainTimeout(Duration.ofMillis(300)));
        SmtpClient stuck = sendHeldMessage(server);

        server.stop();

        List<String> replies = new ArrayList<>();
        for (String r = stuck.reply(); r != null; r = stuck.reply()) {
            replies.add(r);
        }
        assertThat(replies).noneMatch(r -> r.startsWith("250"));
        assertThat(intake.accepted()).isEmpty();
    }

    /** MAIL, RCPT, DATA and the message; returns once the queue holds it, its 250 not yet sent. */
    private SmtpClient sendHeldMessage(InboundServer server) throws Exception {
        SmtpClient c = client(server);
        c.hello();
        assertThat(c.cmd("MAIL FROM:<app@example.com>")).startsWith("250");
        assertThat(c.cmd("RCPT TO:<user@example.org>")).startsWith("250");
        assertThat(c.cmd("DATA")).startsWith("354");
        c.send(MESSAGE + ".\r\n");
        held.awaitHeld();
        return c;
    }

    /** The drain has begun once a new connection is greeted with 421 instead of 220. */
    private void awaitDraining(InboundServer server) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            try (SmtpClient probe = new SmtpClient(server.port())) {
                assertThat(probe.reply()).isEqualTo(SHUTTING_DOWN);
            }
        });
    }

    private SmtpClient client(InboundServer server) throws IOException {
        SmtpClient c = new SmtpClient(server.port());
        clients.add(c);
        return c;
    }
}
