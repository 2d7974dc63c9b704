package io.stsdane.relay.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.delivery.RecipientOutcome.Kind;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.Notify;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.queue.Ret;
import io.stsdane.relay.core.testing.InMemoryContent;
import io.stsdane.relay.testkit.smtp.DataGate;
import io.stsdane.relay.testkit.smtp.ReceivedTransaction;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.Stall;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The SMTP conversation: replies per recipient, pipelining, reuse, timeouts, dot-stuffing, extensions. */
class SmtpClientBehaviourTest {

    private final EngineFixture f = new EngineFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private TestSmtpServer mx(SmtpBehavior b) {
        return f.singleMx("mx.example.test", b);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void eachRecipientGetsItsOwnOutcomeInOneTransaction(boolean pipelining) {
        TestSmtpServer s = mx(SmtpBehavior.builder().pipelining(pipelining)
                .rcptReply("later@example.test", "450 4.2.1 mailbox busy")
                .rcptReply("nobody@example.test", "550 5.1.1 no such user").build());
        f.engine(List.of());

        List<RecipientOutcome> out = f.deliver(Messages.simple("example.test",
                "ok@example.test", "later@example.test", "nobody@example.test"));

        assertThat(out).extracting(o -> o.recipient().address() + " " + o.kind() + " " + o.status())
                .containsExactly("ok@example.test DELIVERED 2.0.0", "later@example.test DEFERRED 4.2.1",
                        "nobody@example.test BOUNCED 5.1.1");
        assertThat(out.get(2).diagnostic()).isEqualTo("550 5.1.1 no such user");
        assertThat(out.get(2).remoteMta()).isEqualTo("mx.example.test");
        assertThat(s.transactions()).singleElement().extracting(ReceivedTransaction::recipients)
                .isEqualTo(List.of("TO:<ok@example.test>"));
    }

    @Test
    void endOfDataRejectionAppliesToEveryAcceptedRecipient() {
        mx(SmtpBehavior.builder().dataEndReply("554 5.7.1 content rejected").build());
        f.engine(List.of());

        assertThat(f.deliver(Messages.simple("example.test", "a@example.test", "b@example.test")))
                .allSatisfy(o -> {
                    assertThat(o.kind()).isEqualTo(Kind.BOUNCED);
                    assertThat(o.status()).isEqualTo("5.7.1");
                });
    }

    @Test
    void theNativeTransportIsUsedOnLinuxX86() {
        DeliveryEngine engine = f.engine(List.of());
        boolean linuxX86 = System.getProperty("os.name").equals("Linux")
                && System.getProperty("os.arch").matches("amd64|x86_64");
        assertThat(engine.transport()).isEqualTo(linuxX86 ? "epoll" : "nio");
    }

    @Test
    void pipeliningIsUsedWhenOffered() {
        TestSmtpServer s = mx(SmtpBehavior.builder().pipelining(true).build());
        f.engine(List.of());

        f.deliver(Messages.simple("example.test", "a@example.test", "b@example.test"));

        assertThat(s.transactions()).hasSize(1);
        assertThat(s.pipelinedCommands()).isPositive();
    }

    @Test
    void pipeliningIsNotUsedWhenNotOffered() {
        TestSmtpServer s = mx(SmtpBehavior.builder().pipelining(false).build());
        f.engine(List.of());

        f.deliver(Messages.simple("example.test", "a@example.test", "b@example.test"));

        assertThat(s.transactions()).hasSize(1);
        assertThat(s.pipelinedCommands()).isZero();
    }

    @Test
    void messagesToTheSameHostShareOneConnection() {
        TestSmtpServer s = mx(SmtpBehavior.builder().pipelining(true).build());
        f.engine(List.of());

        for (int i = 0; i < 5; i++) {
            assertThat(f.deliver(Messages.simple("example.test", "a" + i + "@example.test")))
                    .allSatisfy(o -> assertThat(o.kind()).isEqualTo(Kind.DELIVERED));
        }

        assertThat(s.transactions()).hasSize(5);
        assertThat(s.connections()).isEqualTo(1);
    }

    @Test
    void thePerDestinationLimitHoldsASecondDeliveryUntilTheFirstEnds() throws Exception {
        DataGate gate = new DataGate(1);
        TestSmtpServer s = mx(SmtpBehavior.builder().dataGate(gate).build());
        DeliveryEngine engine = f.engine(List.of(), b -> b.maxPerDestination(1));

        var first = engine.deliver(Messages.simple("example.test", "a@example.test")).toCompletableFuture();
        assertThat(gate.awaitPaused(Duration.ofSeconds(10))).isTrue();
        var second = engine.deliver(Messages.simple("example.test", "b@example.test")).toCompletableFuture();
        Thread.sleep(300); // room for a wrong second connection to show up
        assertThat(s.connections()).isEqualTo(1);
        assertThat(second).isNotDone();
        gate.release();

        assertThat(first.get(10, TimeUnit.SECONDS)).allSatisfy(o -> assertThat(o.kind()).isEqualTo(Kind.DELIVERED));
        assertThat(second.get(10, TimeUnit.SECONDS)).allSatisfy(o -> assertThat(o.kind()).isEqualTo(Kind.DELIVERED));
        assertThat(s.connections()).isEqualTo(1);
    }

    @Test
    void aConnectionCarriesAtMostTheConfiguredNumberOfMessages() {
        TestSmtpServer s = mx(SmtpBehavior.plain());
        f.engine(List.of(), b -> b.messagesPerConnection(2));

        for (int i = 0; i < 5; i++) {
            f.deliver(Messages.simple("example.test", "a" + i + "@example.test"));
        }

        assertThat(s.transactions()).hasSize(5);
        assertThat(s.connections()).isEqualTo(3);
    }

    @Test
    void anIdleConnectionIsClosedWithQuitAfterTheIdleTimeout() {
        TestSmtpServer s = mx(SmtpBehavior.plain());
        f.engine(List.of(), b -> b.idleTimeout(Duration.ofMillis(200)));

        f.deliver(Messages.simple("example.test", "a@example.test"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> s.received("QUIT"));
        f.deliver(Messages.simple("example.test", "b@example.test"));

        assertThat(s.connections()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(value = Stall.class, names = {"GREETING", "MAIL", "DATA_END"})
    void aStallingServerTimesOutAndTheMessageIsDeferred(Stall stall) {
        mx(SmtpBehavior.builder().stall(stall).build());
        f.engine(List.of(), b -> b.timeouts(SmtpTimeouts.uniform(Duration.ofMillis(500))));

        assertThat(f.deliver(Messages.simple("example.test", "a@example.test"))).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DEFERRED);
            assertThat(o.diagnostic()).contains("timeout");
        });
    }

    @Test
    void dotStuffingIsByteExact() {
        TestSmtpServer s = mx(SmtpBehavior.plain());
        f.engine(List.of());
        String body = ".starts with a dot\r\n..two dots\r\n.\r\nmiddle . dot\r\n.\r\n. \r\nend";
        byte[] content = body.getBytes(StandardCharsets.US_ASCII);

        f.deliver(Messages.request("example.test", InMemoryContent.of(content), "a@example.test"));

        ReceivedTransaction t = s.transactions().get(0);
        assertThat(new String(t.rawData(), StandardCharsets.US_ASCII)).isEqualTo(
                "..starts with a dot\r\n...two dots\r\n..\r\nmiddle . dot\r\n..\r\n.. \r\nend\r\n");
        assertThat(new String(t.data(), StandardCharsets.US_ASCII)).isEqualTo(body + "\r\n");
    }

    @Test
    void eightBitMessageBouncesWhenTheServerLacks8BitMime() {
        TestSmtpServer s = mx(SmtpBehavior.builder().eightBitMime(false).build());
        f.engine(List.of());
        List<Recipient> rcpts = List.of(Recipient.of("a@example.test"));

        List<RecipientOutcome> out = f.deliver(Messages.request("example.test",
                Messages.envelope(rcpts, false, false, true), InMemoryContent.ofText("Subject: caf\u00e9\r\n\r\n\u00e9\r\n")));

        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.BOUNCED);
            assertThat(o.status()).isEqualTo("5.6.3");
        });
        assertThat(s.received("MAIL")).isFalse();
    }

    @Test
    void eightBitMessageDeclaresItsBodyWhenTheServerOffers8BitMime() {
        TestSmtpServer s = mx(SmtpBehavior.builder().eightBitMime(true).build());
        f.engine(List.of());
        List<Recipient> rcpts = List.of(Recipient.of("a@example.test"));

        f.deliver(Messages.request("example.test", Messages.envelope(rcpts, false, false, true),
                InMemoryContent.ofText("Subject: x\r\n\r\n\u00e9\r\n")));

        assertThat(s.transactions()).singleElement().extracting(ReceivedTransaction::mailFrom).asString()
                .contains("BODY=8BITMIME");
    }

    @Test
    void utf8AddressesBounceWhenTheServerLacksSmtpUtf8() {
        mx(SmtpBehavior.plain());
        f.engine(List.of());
        List<Recipient> rcpts = List.of(Recipient.of("j\u00f6rg@example.test"));

        assertThat(f.deliver(Messages.request("example.test", Messages.envelope(rcpts, false, true, false),
                InMemoryContent.ofText("Subject: x\r\n\r\nx\r\n")))).singleElement()
                .satisfies(o -> assertThat(o.status()).isEqualTo("5.6.7"));
    }

    @Test
    void messageLargerThanTheAdvertisedSizeBouncesBeforeMail() {
        TestSmtpServer s = mx(SmtpBehavior.builder().sizeLimit(10).build());
        f.engine(List.of());

        assertThat(f.deliver(Messages.simple("example.test", "a@example.test"))).singleElement()
                .satisfies(o -> assertThat(o.status()).isEqualTo("5.3.4"));
        assertThat(s.received("MAIL")).isFalse();
    }

    /** RFC 3461 §5.2.1: the next hop got NOTIFY=SUCCESS, so the success notice is its job from now on. */
    @Test
    void dsnParametersArePassedOnlyWhenTheServerOffersDsnAndTheDeliveryNoticeIsThenItsJob() {
        TestSmtpServer withDsn = mx(SmtpBehavior.builder().dsn(true).sizeLimit(1_000_000).build());
        f.engine(List.of());

        List<RecipientOutcome> out = f.deliver(dsnRequest());

        ReceivedTransaction t = withDsn.transactions().get(0);
        assertThat(t.mailFrom()).contains("RET=HDRS", "ENVID=env-1", "SIZE=");
        assertThat(t.recipients()).singleElement().asString()
                .contains("NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;a@example.test");
        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DELIVERED);
            assertThat(o.nextHopNotifies()).isTrue();
        });
    }

    /** RFC 3461 §5.2.2: NOTIFY could not go on, so the relay owes the "relayed" notice itself. */
    @Test
    void dsnParametersAreLeftOutWhenTheServerLacksDsnAndTheDeliveryNoticeStaysOurs() {
        TestSmtpServer plain = mx(SmtpBehavior.plain());
        f.engine(List.of());

        List<RecipientOutcome> out = f.deliver(dsnRequest());

        ReceivedTransaction t = plain.transactions().get(0);
        assertThat(t.mailFrom()).doesNotContain("RET=", "ENVID=");
        assertThat(t.recipients()).singleElement().asString().doesNotContain("NOTIFY", "ORCPT");
        assertThat(out).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DELIVERED);
            assertThat(o.nextHopNotifies()).isFalse();
        });
    }

    @Test
    void heloIsUsedWhenEhloIsRefused() {
        TestSmtpServer s = mx(SmtpBehavior.builder().ehloRejected(true).build());
        f.engine(List.of());

        assertThat(f.deliver(Messages.simple("example.test", "a@example.test"))).singleElement()
                .extracting(RecipientOutcome::kind).isEqualTo(Kind.DELIVERED);
        assertThat(s.received("HELO")).isTrue();
    }

    @Test
    void endlessMultiLineReplyIsCutOffAndDeferred() {
        String flood = "220-flood\r\n".repeat(500) + "220 done";
        mx(SmtpBehavior.builder().greeting(flood).build());
        f.engine(List.of());

        assertThat(f.deliver(Messages.simple("example.test", "a@example.test"))).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DEFERRED);
            assertThat(o.diagnostic()).contains("more than 100 lines");
        });
    }

    @Test
    void rejectedSenderBouncesEveryRecipientAndTheConnectionStaysUsable() {
        TestSmtpServer s = mx(SmtpBehavior.builder().pipelining(true).mailReply("550 5.7.1 sender refused").build());
        f.engine(List.of());

        assertThat(f.deliver(Messages.simple("example.test", "a@example.test", "b@example.test")))
                .allSatisfy(o -> assertThat(o.status()).isEqualTo("5.7.1"));
        f.deliver(Messages.simple("example.test", "c@example.test"));
        assertThat(s.connections()).isEqualTo(1);
        assertThat(s.received("RSET")).isTrue();
    }

    private static DeliveryRequest dsnRequest() {
        Recipient r = new Recipient("a@example.test", Set.of(Notify.SUCCESS, Notify.FAILURE), "rfc822;a@example.test");
        Envelope env = new Envelope("s@origin.test", List.of(r), Ret.HDRS, "env-1", false, false, false,
                Instant.now(), "");
        return new DeliveryRequest(new QueueId("DSN1"), env, "example.test", List.of(r),
                InMemoryContent.ofText("Subject: x\r\n\r\nx\r\n"));
    }
}
