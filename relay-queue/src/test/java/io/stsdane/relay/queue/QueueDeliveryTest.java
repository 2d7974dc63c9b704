package io.stsdane.relay.queue;

import io.stsdane.relay.testkit.time.MutableClock;

import static io.stsdane.relay.queue.TestMessages.bytes;
import static io.stsdane.relay.queue.TestMessages.envelope;
import static io.stsdane.relay.queue.TestMessages.rcpt;
import static io.stsdane.relay.queue.TestMessages.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stsdane.relay.core.delivery.AttemptSecurity;
import io.stsdane.relay.core.delivery.DeliveryAgent;
import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.OutcomeScope;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.Notify;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.queue.Ret;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsLevel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The queue end to end: real spool, real scheduler, a scripted delivery agent, controlled time. */
class QueueDeliveryTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private static final String SENDER = "alice@example.org";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private MessageQueue queue;
    private ScriptedAgent agent;

    /** DSNs (sender {@code <>}) are always accepted by the sender's server. */
    private static BiFunction<DeliveryRequest, Recipient, RecipientOutcome> script(
            BiFunction<DeliveryRequest, Recipient, RecipientOutcome> forMail) {
        return (req, r) -> req.envelope().isBounce()
                ? RecipientOutcome.delivered(r, "250 2.0.0 ok", "mx.example.org")
                : forMail.apply(req, r);
    }

    private MessageQueue start(BiFunction<DeliveryRequest, Recipient, RecipientOutcome> forMail,
            Consumer<MessageQueue.Builder> options) throws IOException {
        agent = new ScriptedAgent(script(forMail));
        return start(agent, options);
    }

    private MessageQueue start(DeliveryAgent a, Consumer<MessageQueue.Builder> options) throws IOException {
        MessageQueue.Builder b = MessageQueue.builder().directory(dir).hostname("relay.example.com").deliveryAgent(a)
                .clock(clock).pollInterval(Duration.ofMillis(10)).minFreeDisk(0).jitter(0)
                .retrySchedule(List.of(Duration.ofMinutes(1), Duration.ofMinutes(5)))
                .domainFailureThreshold(100);
        options.accept(b);
        queue = b.build();
        queue.start();
        return queue;
    }

    @AfterEach
    void stop() {
        if (queue != null) {
            queue.close();
        }
    }

    private QueueId submit(Envelope env, String content) throws IntakeException {
        QueueId id = queue.intake().nextId();
        queue.intake().accept(id, env, new ByteArrayInputStream(bytes(content)));
        return id;
    }

    private QueuedMessageView show(QueueId id) throws IOException {
        return queue.admin().show(id).orElseThrow(() -> new AssertionError(id + " is not queued"));
    }

    private void awaitGone(QueueId id) {
        await().atMost(Duration.ofSeconds(20)).until(() -> queue.admin().show(id).isEmpty());
    }

    /** Waits until the n-th attempt is recorded (clock moves before that would shift the schedule). */
    private void awaitAttempt(QueueId id, int attempts, Instant next) throws IOException {
        await().atMost(Duration.ofSeconds(20)).until(() -> show(id).recipients().get(0).attempts() == attempts);
        assertThat(show(id).recipients().get(0).nextAttempt()).isEqualTo(next);
    }

    /** A reply to the recipient's RCPT: it says nothing about the other mailboxes of its domain. */
    private static RecipientOutcome deferred(Recipient r) {
        return RecipientOutcome.deferred(r, OutcomeScope.RECIPIENT, "4.3.0", "451 4.3.0 try again later",
                "mx." + r.domain());
    }

    /** Every MX host of the recipient's domain refused the connection. */
    private static RecipientOutcome destinationDown(Recipient r) {
        return RecipientOutcome.deferred(r, OutcomeScope.DESTINATION, "4.4.1",
                "connection refused by every MX host", "");
    }

    private static RecipientOutcome bounced(Recipient r, String status, String reply, String remoteMta) {
        return RecipientOutcome.bounced(r, OutcomeScope.RECIPIENT, status, reply, remoteMta);
    }

    /**
     * spool.commit-delay counts as "on its way" only a session whose whole message is read: a client still sending
     * its DATA (which may take minutes) must not hold another session's commit, and so its 250, for the delay.
     */
    @Test
    @Timeout(60)
    void aClientStillSendingItsDataHoldsBackNoOtherSessionsCommit() throws Exception {
        start((req, r) -> deferred(r), b -> b.commitDelay(Duration.ofDays(1)));
        PipedOutputStream slowClient = new PipedOutputStream();
        PipedInputStream slowData = new PipedInputStream(slowClient);
        QueueId slowId = queue.intake().nextId();
        CompletableFuture<Void> slow = CompletableFuture.runAsync(() -> {
            try {
                queue.intake().accept(slowId, envelope(SENDER, T0, rcpt("bob@example.net")), slowData);
            } catch (IntakeException e) {
                throw new IllegalStateException(e);
            }
        });
        slowClient.write(bytes("Subject: slow\r\n"));
        slowClient.flush();

        QueueId fast = submit(envelope(SENDER, T0, rcpt("carol@example.net")), text("fast"));

        assertThat(show(fast).recipients()).hasSize(1);
        assertThat(slow).isNotDone();
        slowClient.write(bytes("\r\nthe rest\r\n"));
        slowClient.close();
        slow.get();
        assertThat(show(slowId).recipients()).hasSize(1);
    }

    @Test
    void deferredRecipientFollowsTheRetryScheduleAndTheLastStepRepeats() throws Exception {
        start((req, r) -> deferred(r), b -> { });
        QueueId id = submit(envelope(SENDER, T0, rcpt("bob@example.net")), text("retry"));

        awaitAttempt(id, 1, T0.plus(Duration.ofMinutes(1)));
        assertThat(show(id).recipients().get(0).lastError()).isEqualTo("451 4.3.0 try again later");
        clock.advance(Duration.ofMinutes(1));
        awaitAttempt(id, 2, T0.plus(Duration.ofMinutes(6)));
        clock.advance(Duration.ofMinutes(5));
        awaitAttempt(id, 3, T0.plus(Duration.ofMinutes(11)));
        assertThat(agent.deliveries()).hasSize(3);
        assertThat(agent.deliveries().get(2).text()).isEqualTo(text("retry"));
    }

    @Test
    void recipientStillDeferredWhenTheQueueLifetimeEndsIsBouncedWithADsn() throws Exception {
        start((req, r) -> deferred(r), b -> b.maxQueueLifetime(Duration.ofMinutes(8)));
        QueueId id = submit(envelope(SENDER, T0, rcpt("bob@example.net")), text("expire"));

        awaitAttempt(id, 1, T0.plus(Duration.ofMinutes(1)));
        clock.advance(Duration.ofMinutes(1));
        awaitAttempt(id, 2, T0.plus(Duration.ofMinutes(6)));
        clock.advance(Duration.ofMinutes(5));
        // The next step (+5m) would pass the lifetime: the last attempt is made right at expiry.
        awaitAttempt(id, 3, T0.plus(Duration.ofMinutes(8)));
        clock.advance(Duration.ofMinutes(2));
        awaitGone(id);

        // The DSN is queued before the message goes, and delivered a moment later.
        await().atMost(Duration.ofSeconds(20)).until(() -> agent.dsns().size() == 1);
        Dsn dsn = Dsn.parse(agent.dsns().get(0).text());
        Recipient to = agent.dsns().get(0).request().recipients().get(0);
        assertThat(to.address()).isEqualTo(SENDER);
        assertThat(dsn.recipient("bob@example.net"))
                .containsEntry("action", "failed")
                .containsEntry("status", "4.3.0")
                .containsEntry("remote-mta", "dns; mx.example.net");
        assertThat(dsn.recipient("bob@example.net").get("diagnostic-code"))
                .contains("delivery time expired").contains("451 4.3.0 try again later");
    }

    @Test
    void permanentFailureBouncesAtOnceWithACompleteDsn() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        start((req, r) -> bounced(r, "5.1.1", "550 5.1.1 no such user", "mx.example.net"),
                b -> b.meterRegistry(meters));
        QueueId id = submit(envelope(SENDER, T0, rcpt("nobody@example.net")), text("bounce"));

        awaitGone(id);
        await().atMost(Duration.ofSeconds(20)).until(() -> meters.get("relay.queue.size").gauge().value() == 0);
        assertThat(meters.get("relay.queue.received").counter().count()).isEqualTo(1); // the DSN is not "received"
        assertThat(meters.get("relay.queue.recipients").tag("outcome", "bounced").counter().count()).isEqualTo(1);
        assertThat(meters.get("relay.queue.recipients").tag("outcome", "delivered").counter().count()).isEqualTo(1);
        assertThat(meters.get("relay.queue.dsn.queued").counter().count()).isEqualTo(1);
        assertThat(meters.get("relay.queue.spool.fsyncs").functionCounter().count()).isPositive();
        assertThat(agent.dsns()).hasSize(1);
        ScriptedAgent.Delivery d = agent.dsns().get(0);
        assertThat(d.request().envelope().sender()).isEmpty();
        assertThat(d.request().domain()).isEqualTo("example.org");
        assertThat(d.request().envelope().smtpUtf8()).isFalse();
        Dsn dsn = Dsn.parse(d.text());
        assertThat(dsn.headers().get("content-type"))
                .startsWith("multipart/report; report-type=delivery-status;");
        assertThat(dsn.headers()).containsEntry("to", "<" + SENDER + ">")
                .containsEntry("auto-submitted", "auto-replied");
        assertThat(dsn.headers().get("from")).contains("MAILER-DAEMON@relay.example.com");
        assertThat(dsn.parts()).extracting(p -> p.headers().get("content-type"))
                .containsExactly("text/plain; charset=utf-8", "message/delivery-status", "text/rfc822-headers");
        assertThat(dsn.perMessage()).containsEntry("reporting-mta", "dns; relay.example.com")
                .containsEntry("arrival-date", "Mon, 2 Mar 2026 10:00:00 GMT");
        assertThat(dsn.perRecipient()).hasSize(1);
        assertThat(dsn.recipient("nobody@example.net"))
                .containsEntry("action", "failed")
                .containsEntry("status", "5.1.1")
                .containsEntry("remote-mta", "dns; mx.example.net")
                .containsEntry("diagnostic-code", "smtp; 550 5.1.1 no such user")
                .containsEntry("last-attempt-date", "Mon, 2 Mar 2026 10:00:00 GMT");
        // RET absent: headers only (RFC 3461 §4.3 leaves the choice to us; headers leak less).
        String returned = dsn.parts().get(2).body();
        assertThat(returned).contains("Subject: bounce").doesNotContain("Hello bounce");
    }

    @Test
    void bouncedSmtpUtf8MessageGetsAGlobalDsnThatItselfNeedsSmtpUtf8() throws Exception {
        start((req, r) -> bounced(r, "5.1.1", "550 5.1.1 no such user", "mx.bücher.example"),
                b -> { });
        String content = "From: <アリス@例え.jp>\r\nTo: <jörg@bücher.example>\r\nSubject: Grüße\r\n\r\nHallo.\r\n";
        Envelope env = new Envelope("アリス@例え.jp", List.of(rcpt("jörg@bücher.example")), Ret.FULL, null, false,
                true, true, T0, "[127.0.0.1] test");
        QueueId id = submit(env, content);

        awaitGone(id);
        await().atMost(Duration.ofSeconds(20)).until(() -> agent.dsns().size() == 1);
        ScriptedAgent.Delivery d = agent.dsns().get(0);
        // The engine requires SMTPUTF8 of the next hop for it (5.6.7 otherwise; a DSN is never bounced).
        assertThat(d.request().envelope().smtpUtf8()).isTrue();
        assertThat(d.request().envelope().isBounce()).isTrue();
        assertThat(d.request().recipients()).singleElement()
                .satisfies(r -> assertThat(r.address()).isEqualTo("アリス@例え.jp"));
        Dsn dsn = Dsn.parse(d.text());
        assertThat(dsn.headers().get("content-type"))
                .startsWith("multipart/report; report-type=delivery-status;");
        assertThat(dsn.parts()).extracting(p -> p.headers().get("content-type")).containsExactly(
                "text/plain; charset=utf-8", "message/global-delivery-status", "message/global");
        assertThat(dsn.recipient("jörg@bücher.example"))
                .containsEntry("final-recipient", "utf-8; jörg@bücher.example")
                .containsEntry("action", "failed")
                .containsEntry("status", "5.1.1")
                .containsEntry("remote-mta", "dns; mx.bücher.example")
                .containsEntry("diagnostic-code", "smtp; 550 5.1.1 no such user");
        assertThat(dsn.parts().get(2).body()).isEqualTo(content);
    }

    @Test
    void mixedOutcomesProduceOneDsnWithExactlyTheRightRecipients() throws Exception {
        start((req, r) -> switch (r.domain()) {
            case "ok.example" -> RecipientOutcome.delivered(r, "250 2.0.0 queued as X", "mx.ok.example");
            case "slow.example" -> deferred(r);
            default -> bounced(r, "5.7.1", "550 5.7.1 relaying denied", "mx.bad.example");
        }, b -> b.delayWarning(Duration.ZERO));
        Recipient delivered = rcpt("d@ok.example", Notify.SUCCESS, Notify.FAILURE);
        Recipient later = rcpt("l@slow.example");
        Recipient failed = new Recipient("f@bad.example", Set.of(), "rfc822;F+2Bx@bad.example");
        QueueId id = submit(envelope(SENDER, Ret.FULL, T0, delivered, later, failed), text("mixed"));

        await().atMost(Duration.ofSeconds(20)).until(() -> agent.dsns().size() == 1);
        Dsn dsn = Dsn.parse(agent.dsns().get(0).text());
        assertThat(dsn.headers().get("subject")).isEqualTo("Undelivered Mail Returned to Sender");
        assertThat(dsn.perMessage()).containsEntry("original-envelope-id", "ENV+1");
        assertThat(dsn.perRecipient()).hasSize(3);
        assertThat(dsn.recipient("d@ok.example"))
                .containsEntry("action", "relayed").containsEntry("status", "2.0.0")
                .containsEntry("remote-mta", "dns; mx.ok.example")
                .doesNotContainKey("original-recipient");
        assertThat(dsn.recipient("l@slow.example"))
                .containsEntry("action", "delayed").containsEntry("status", "4.3.0")
                .containsEntry("diagnostic-code", "smtp; 451 4.3.0 try again later")
                .containsEntry("will-retry-until", "Sat, 7 Mar 2026 10:00:00 GMT");
        assertThat(dsn.recipient("f@bad.example"))
                .containsEntry("action", "failed").containsEntry("status", "5.7.1")
                .containsEntry("original-recipient", "rfc822; F+x@bad.example")
                .containsEntry("diagnostic-code", "smtp; 550 5.7.1 relaying denied");
        // RET=FULL: the whole message comes back.
        assertThat(dsn.parts().get(2).headers().get("content-type")).isEqualTo("message/rfc822");
        assertThat(dsn.parts().get(2).body()).isEqualTo(text("mixed"));

        QueuedMessageView v = show(id);
        assertThat(v.recipients()).extracting(QueuedMessageView.RecipientView::state)
                .containsExactly("DELIVERED", "PENDING", "BOUNCED");
        // The delay warning is sent once, not at every retry.
        clock.advance(Duration.ofMinutes(1));
        await().until(() -> show(id).recipients().get(1).attempts() == 2);
        assertThat(agent.dsns()).hasSize(1);
    }

    @Test
    void withoutNotifySuccessOrDelayWarningOnlyTheFailureIsReported() throws Exception {
        start((req, r) -> switch (r.domain()) {
            case "ok.example" -> RecipientOutcome.delivered(r, "250 ok", "mx.ok.example");
            case "slow.example" -> deferred(r);
            default -> bounced(r, "5.1.1", "550 5.1.1 unknown", "mx.bad.example");
        }, b -> { });
        submit(envelope(SENDER, T0, rcpt("d@ok.example"), rcpt("l@slow.example"), rcpt("f@bad.example")),
                text("plain"));

        await().atMost(Duration.ofSeconds(20)).until(() -> agent.dsns().size() == 1);
        Dsn dsn = Dsn.parse(agent.dsns().get(0).text());
        assertThat(dsn.perRecipient()).extracting(m -> m.get("final-recipient"))
                .containsExactly("rfc822; f@bad.example");
    }

    @Test
    void aBounceIsNeverBounced() throws Exception {
        start((req, r) -> bounced(r, "5.1.1", "550 5.1.1 unknown", "mx.example.net"), b -> { });
        QueueId id = submit(envelope("", T0, rcpt("gone@example.net")), text("dsn"));

        awaitGone(id);
        assertThat(agent.deliveries()).hasSize(1);
        assertThat(queue.admin().list(10)).isEmpty();
    }

    @Test
    void notifyNeverSuppressesTheDsnAndNotifySuccessAsksForOne() throws Exception {
        start((req, r) -> r.address().startsWith("never")
                ? bounced(r, "5.1.1", "550 5.1.1 unknown", "mx.example.net")
                : RecipientOutcome.delivered(r, "250 ok", "mx.example.net"), b -> { });
        QueueId quiet = submit(envelope(SENDER, T0, rcpt("never@example.net", Notify.NEVER)), text("never"));
        awaitGone(quiet);
        QueueId success = submit(envelope(SENDER, T0, rcpt("yes@example.net", Notify.SUCCESS)), text("yes"));
        awaitGone(success);

        await().until(() -> agent.dsns().size() == 1);
        Dsn dsn = Dsn.parse(agent.dsns().get(0).text());
        assertThat(dsn.headers().get("subject")).isEqualTo("Successful Mail Delivery Report");
        assertThat(dsn.perRecipient()).singleElement().satisfies(r -> assertThat(r)
                .containsEntry("final-recipient", "rfc822; yes@example.net")
                .containsEntry("action", "relayed"));
    }

    /**
     * RFC 3461 §5.2.1-5.2.2: NOTIFY=SUCCESS passed on to a next hop that offered DSN is that hop's to answer;
     * only where the next hop did not take it does the relay send {@code Action: relayed}.
     */
    @Test
    void notifySuccessPassedOnToTheNextHopGetsNoRelayedDsnFromUs() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        start((req, r) -> RecipientOutcome.delivered(r, "250 ok", "mx." + r.domain(),
                r.domain().equals("dsn.example")), b -> b.meterRegistry(meters));
        submit(envelope(SENDER, T0, rcpt("passed@dsn.example", Notify.SUCCESS),
                rcpt("kept@plain.example", Notify.SUCCESS)), text("success"));

        // DSNs are queued before the message that owes them goes: once the queue is empty, every DSN was sent.
        await().atMost(Duration.ofSeconds(20)).until(() -> agent.deliveries().size() > 1
                && meters.get("relay.queue.size").gauge().value() == 0);
        assertThat(meters.get("relay.queue.dsn.queued").counter().count()).isEqualTo(1);
        Dsn dsn = Dsn.parse(agent.dsns().get(0).text());
        assertThat(dsn.perRecipient()).singleElement().satisfies(r -> assertThat(r)
                .containsEntry("final-recipient", "rfc822; kept@plain.example")
                .containsEntry("action", "relayed"));
    }

    @Test
    void notifyFailureOnlyGetsNoDelayWarning() throws Exception {
        start((req, r) -> deferred(r), b -> b.delayWarning(Duration.ZERO));
        QueueId id = submit(envelope(SENDER, T0, rcpt("f@slow.example", Notify.FAILURE),
                rcpt("d@slow.example", Notify.DELAY)), text("delay"));

        await().atMost(Duration.ofSeconds(20)).until(() -> agent.dsns().size() == 1);
        Dsn dsn = Dsn.parse(agent.dsns().get(0).text());
        assertThat(dsn.headers().get("subject")).isEqualTo("Delayed Mail (still being retried)");
        assertThat(dsn.perRecipient()).extracting(m -> m.get("final-recipient"))
                .containsExactly("rfc822; d@slow.example");
        assertThat(show(id).recipients()).allSatisfy(r -> assertThat(r.state()).isEqualTo("PENDING"));
    }

    @Test
    void aStageThatCompletesExceptionallyDefersEveryRecipient() throws Exception {
        start(req -> CompletableFuture.failedFuture(new IllegalStateException("engine broke")), b -> { });
        QueueId id = submit(envelope(SENDER, T0, rcpt("a@example.net"), rcpt("b@example.net")), text("x"));

        await().atMost(Duration.ofSeconds(20)).until(() -> show(id).recipients().get(0).attempts() == 1);
        assertThat(show(id).recipients()).allSatisfy(r -> {
            assertThat(r.state()).isEqualTo("PENDING");
            assertThat(r.lastError()).contains("engine broke");
            assertThat(r.nextAttempt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
        });
    }

    @Test
    void aDomainThatKeepsFailingIsBackedOffAsAWhole() throws Exception {
        start((req, r) -> destinationDown(r), b -> b.domainFailureThreshold(1));
        QueueId first = submit(envelope(SENDER, T0, rcpt("a@dead.example")), text("one"));
        await().atMost(Duration.ofSeconds(20)).until(() -> show(first).recipients().get(0).attempts() == 1);

        QueueId second = submit(envelope(SENDER, T0, rcpt("b@dead.example")), text("two"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> T0.plus(Duration.ofMinutes(1)).equals(show(second).recipients().get(0).nextAttempt()));
        assertThat(show(second).recipients().get(0).attempts()).isZero();
        assertThat(agent.deliveries()).hasSize(1);

        QueueId healthy = submit(envelope(SENDER, T0, rcpt("c@alive.example")), text("three"));
        await().atMost(Duration.ofSeconds(20)).until(() -> show(healthy).recipients().get(0).attempts() == 1);
    }

    @Test
    void aRecipientsDeferralDoesNotHoldBackMailToAnotherRecipientOfItsDomain() throws Exception {
        start((req, r) -> r.address().startsWith("busy@") ? deferred(r)
                : RecipientOutcome.delivered(r, "250 2.0.0 ok", "mx." + r.domain()), b -> b.domainFailureThreshold(1));
        QueueId first = submit(envelope(SENDER, T0, rcpt("busy@example.net")), text("one"));
        await().atMost(Duration.ofSeconds(20)).until(() -> show(first).recipients().get(0).attempts() == 1);
        assertThat(queue.admin().backedOff()).isEmpty();

        QueueId second = submit(envelope(SENDER, T0, rcpt("free@example.net")), text("two"));
        awaitGone(second);
        assertThat(agent.deliveries()).extracting(d -> d.request().recipients().get(0).address())
                .containsExactly("busy@example.net", "free@example.net");
    }

    @Test
    void theAdminSeesABackedOffDomainAndCanClearItsBackoff() throws Exception {
        start((req, r) -> destinationDown(r), b -> b.domainFailureThreshold(1));
        QueueId first = submit(envelope(SENDER, T0, rcpt("a@dead.example")), text("one"));
        await().atMost(Duration.ofSeconds(20)).until(() -> show(first).recipients().get(0).attempts() == 1);
        assertThat(queue.admin().backedOff()).containsEntry("dead.example", T0.plus(Duration.ofMinutes(1)));

        queue.admin().clearBackoff();
        assertThat(queue.admin().backedOff()).isEmpty();
        QueueId second = submit(envelope(SENDER, T0, rcpt("b@dead.example")), text("two"));
        await().atMost(Duration.ofSeconds(20)).until(() -> show(second).recipients().get(0).attempts() == 1);
    }

    @Test
    void aSuspendedDomainGetsNoAttemptUntilResumedAndTheSuspensionSurvivesARestart() throws Exception {
        start((req, r) -> RecipientOutcome.delivered(r, "250 2.0.0 ok", "mx." + r.domain()), b -> { });
        queue.admin().suspend(new DomainSuspension("paused.example", null));
        QueueId paused = submit(envelope(SENDER, T0, rcpt("a@paused.example")), text("paused"));
        await().atMost(Duration.ofSeconds(20)).until(() -> T0.plus(Duration.ofMinutes(1))
                .equals(show(paused).recipients().get(0).nextAttempt()));
        QueueId other = submit(envelope(SENDER, T0, rcpt("b@other.example")), text("other"));
        awaitGone(other);
        assertThat(show(paused).recipients().get(0).attempts()).isZero();
        assertThat(agent.deliveries()).hasSize(1);

        queue.close();
        start((req, r) -> RecipientOutcome.delivered(r, "250 2.0.0 ok", "mx." + r.domain()), b -> { });
        assertThat(queue.admin().suspensions()).containsExactly(new DomainSuspension("paused.example", null));

        assertThat(queue.admin().resume("paused.example")).isTrue();
        awaitGone(paused);
        assertThat(queue.admin().suspensions()).isEmpty();
        assertThat(queue.admin().resume("paused.example")).isFalse();
    }

    @Test
    void aSuspensionWithAnEndLapsesByItself() throws Exception {
        start((req, r) -> RecipientOutcome.delivered(r, "250 2.0.0 ok", "mx." + r.domain()), b -> { });
        queue.admin().suspend(new DomainSuspension("paused.example", T0.plus(Duration.ofSeconds(30))));
        QueueId paused = submit(envelope(SENDER, T0, rcpt("a@paused.example")), text("paused"));
        await().atMost(Duration.ofSeconds(20)).until(() -> T0.plus(Duration.ofSeconds(30))
                .equals(show(paused).recipients().get(0).nextAttempt()));

        clock.advance(Duration.ofSeconds(30));
        awaitGone(paused);
        assertThat(queue.admin().suspensions()).isEmpty();
    }

    @Test
    void showGivesTheAttemptHistoryAndContentTheStoredMessage() throws Exception {
        AttemptSecurity tls = new AttemptSecurity(PolicyOrigin.MTA_STS, TlsLevel.VERIFY, "TLSv1.3",
                "TLS_AES_128_GCM_SHA256", true, "certificate valid for mx.example.net");
        start((req, r) -> deferred(r).withSecurity(tls), b -> { });
        QueueId id = submit(envelope(SENDER, T0, rcpt("bob@example.net")), text("history"));
        awaitAttempt(id, 1, T0.plus(Duration.ofMinutes(1)));

        QueuedMessageView.RecipientView r = show(id).recipients().get(0);
        assertThat(r.lastStatus()).isEqualTo("4.3.0");
        assertThat(r.remoteMta()).isEqualTo("mx.example.net");
        assertThat(r.history()).singleElement().isEqualTo(new QueuedMessageView.AttemptView(T0, "DEFERRED",
                "4.3.0", "451 4.3.0 try again later", "mx.example.net", tls));
        try (var in = queue.admin().content(id).orElseThrow().open()) {
            assertThat(in.readAllBytes()).isEqualTo(bytes(text("history")));
        }
        assertThat(queue.admin().content(new QueueId("NOPE"))).isEmpty();
    }

    @Test
    void belowTheFreeDiskThresholdTheListenerGets452() throws Exception {
        start((req, r) -> deferred(r), b -> b.minFreeDisk(Long.MAX_VALUE));
        assertThatThrownBy(() -> queue.intake().checkCapacity())
                .isInstanceOfSatisfying(IntakeException.class, e -> {
                    assertThat(e.code()).isEqualTo(452);
                    assertThat(e.enhancedStatus()).isEqualTo("4.3.1");
                });
        assertThatThrownBy(() -> submit(envelope(SENDER, T0, rcpt("a@example.net")), text("full")))
                .isInstanceOfSatisfying(IntakeException.class, e -> assertThat(e.code()).isEqualTo(452));
        assertThat(queue.admin().list(10)).isEmpty();
    }

    @Test
    void adminCanHoldReleaseRetryDeleteAndBounce() throws Exception {
        start((req, r) -> deferred(r), b -> { });
        QueueId held = submit(envelope(SENDER, T0, rcpt("h@example.net")), text("held"));
        await().atMost(Duration.ofSeconds(20)).until(() -> show(held).recipients().get(0).attempts() == 1);

        assertThat(queue.admin().hold(held)).isTrue();
        assertThat(show(held).held()).isTrue();
        assertThat(queue.admin().retryNow(held)).isTrue();
        assertThat(show(held).recipients().get(0).nextAttempt()).isEqualTo(T0);
        assertThat(queue.admin().release(held)).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> show(held).recipients().get(0).attempts() == 2);

        List<QueuedMessageView> list = queue.admin().list(100);
        // The server serialises these with Jackson: a plain mapper must do.
        assertThat(new ObjectMapper().writeValueAsString(list.get(0)))
                .contains("\"received\":\"2026-03-02T10:00:00Z\"")
                .contains("\"state\":\"PENDING\"");
        assertThat(list).singleElement().satisfies(v -> {
            assertThat(v.id()).isEqualTo(held.value());
            assertThat(v.sender()).isEqualTo(SENDER);
            assertThat(v.size()).isEqualTo(bytes(text("held")).length);
            assertThat(v.received()).isEqualTo(T0);
            assertThat(v.recipients().get(0).lastError()).isEqualTo("451 4.3.0 try again later");
        });

        QueueId deleted = submit(envelope(SENDER, T0, rcpt("x@example.net")), text("deleted"));
        assertThat(queue.admin().delete(deleted)).isTrue();
        assertThat(queue.admin().show(deleted)).isEmpty();

        assertThat(queue.admin().bounce(held)).isTrue();
        awaitGone(held);
        // The DSN is queued before the bounced message goes, but delivered by the scheduler after that.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(agent.dsns()).singleElement()
                .satisfies(d -> assertThat(Dsn.parse(d.text()).recipient("h@example.net"))
                        .containsEntry("action", "failed").containsEntry("status", "5.0.0")));
        assertThat(queue.admin().hold(new QueueId("NOPE"))).isFalse();
    }

    @Test
    void messagesQueuedBeforeARestartAreDeliveredAfterIt() throws Exception {
        start((req, r) -> deferred(r), b -> { });
        QueueId id = submit(envelope(SENDER, T0, rcpt("r@example.net")), text("restart"));
        await().atMost(Duration.ofSeconds(20)).until(() -> show(id).recipients().get(0).attempts() == 1);
        queue.close();

        start((req, r) -> RecipientOutcome.delivered(r, "250 ok", "mx.example.net"), b -> { });
        clock.advance(Duration.ofMinutes(1));
        awaitGone(id);
        assertThat(agent.deliveries()).singleElement()
                .satisfies(d -> assertThat(d.text()).isEqualTo(text("restart")));
    }
}
