package io.stsdane.relay.smtp.outbound.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stsdane.relay.core.delivery.DeliveryAttempt;
import io.stsdane.relay.core.delivery.DeliveryObserver;
import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.OutcomeScope;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.queue.DkimSignature;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.testing.InMemoryContent;
import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsReporter;
import io.stsdane.relay.core.tls.Verification;
import io.stsdane.relay.smtp.outbound.HostRole;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The delivery log line (docs/operations.md, "Delivery log"), character for character: field names and order,
 * JSON nulls and literals, and the escaping of text from outside; and the attempt metrics.
 */
class AttemptLogTest {

    private static final TlsReporter NO_REPORTS = r -> { };

    private final Logger deliveryLog = (Logger) LoggerFactory.getLogger("relay.delivery");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Level level;

    @BeforeEach
    void capture() {
        level = deliveryLog.getLevel();
        deliveryLog.setLevel(Level.INFO);
        lines.start();
        deliveryLog.addAppender(lines);
    }

    @AfterEach
    void release() {
        deliveryLog.detachAppender(lines);
        deliveryLog.setLevel(level);
    }

    private static DeliveryRequest request(List<DkimSignature> dkim) {
        List<Recipient> rcpts = List.of(Recipient.of("a@example.test"));
        Envelope env = new Envelope("s@origin.test", rcpts, null, null, false, false, false, Instant.now(), "test")
                .withDkimSignatures(dkim);
        return new DeliveryRequest(new QueueId("Q1"), env, "example.test", rcpts, InMemoryContent.ofText("x\r\n"));
    }

    private static Route route(TlsPolicy policy) throws Exception {
        MxHost host = MxHost.fromDns("mx.example.test", 10, DnsSecurity.SECURE, 25, HostRole.MX);
        return Route.of(host, new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 25), policy);
    }

    private String line() {
        assertThat(lines.list).hasSize(1);
        return lines.list.get(0).getFormattedMessage();
    }

    @Test
    void aTlsAttemptIsOneJsonObjectWithEveryFieldInOrderAndOutsideTextEscaped() throws Exception {
        TlsPolicy policy = new TlsPolicy(TlsLevel.DANE, PolicyOrigin.DANE, "example.test", "mx.example.test",
                PeerVerifier.ACCEPT_ANY, "dane");
        TlsInfo tls = new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", List.of(),
                Verification.passed("matched 3 1 1 \"ab\\cd\""));
        AttemptLog log = new AttemptLog(NO_REPORTS, null, DeliveryObserver.NONE);

        DeliveryAttempt a = log.attempt(request(List.of(new DkimSignature("origin.test", "s1", "rsa-sha256"),
                new DkimSignature("origin.test", "s2", "ed25519-sha256"))), "mx.example.test",
                route(policy), policy, tls, "delivered:1",
                "250 2.0.0 ok\r\nX-Forged: \"yes\"\t\u0001\u001b[31m\u0085\u2028\u202e é", System.nanoTime());

        assertThat(line()).isEqualTo("{\"time\":\"" + a.time() + "\",\"queue\":\"Q1\",\"domain\":\"example.test\","
                + "\"mx\":\"mx.example.test\",\"ip\":\"192.0.2.7\",\"policy_source\":\"dane\",\"policy_level\":\"dane\","
                + "\"plaintext_retry\":false,\"tls_protocol\":\"TLSv1.3\",\"tls_cipher\":\"TLS_AES_128_GCM_SHA256\","
                + "\"verified\":true,\"verification\":\"matched 3 1 1 \\\"ab\\\\cd\\\"\",\"outcome\":\"delivered:1\","
                + "\"reply\":\"250 2.0.0 ok\\r\\nX-Forged: \\\"yes\\\"\\t\\u0001\\u001b[31m\\u0085\\u2028\\u202e é\","
                + "\"duration_ms\":" + a.durationMillis() + ","
                + "\"dkim\":\"d=origin.test s=s1 a=rsa-sha256, d=origin.test s=s2 a=ed25519-sha256\"}");
    }

    @Test
    void anAttemptWithoutConnectionHasNullsWhereNothingWasDecided() {
        AttemptLog log = new AttemptLog(NO_REPORTS, null, DeliveryObserver.NONE);

        DeliveryAttempt a = log.attempt(request(List.of()), "-", null, null, null, "deferred",
                "4.4.3 no MX", System.nanoTime());

        assertThat(line()).isEqualTo("{\"time\":\"" + a.time() + "\",\"queue\":\"Q1\",\"domain\":\"example.test\","
                + "\"mx\":null,\"ip\":null,\"policy_source\":null,\"policy_level\":null,\"plaintext_retry\":false,"
                + "\"tls_protocol\":null,\"tls_cipher\":null,\"verified\":null,\"verification\":null,"
                + "\"outcome\":\"deferred\",\"reply\":\"4.4.3 no MX\",\"duration_ms\":" + a.durationMillis()
                + ",\"dkim\":null}");
    }

    @Test
    void thePlaintextRetryOfAnOpportunisticPolicyIsMarked() throws Exception {
        TlsPolicy policy = TlsPolicy.opportunistic("example.test", "mx.example.test");
        AttemptLog log = new AttemptLog(NO_REPORTS, null, DeliveryObserver.NONE);

        DeliveryAttempt a = log.attempt(request(List.of()), "mx.example.test", route(policy).plaintextRetry(), policy,
                null, "failed", "", System.nanoTime());

        assertThat(line()).isEqualTo("{\"time\":\"" + a.time() + "\",\"queue\":\"Q1\",\"domain\":\"example.test\","
                + "\"mx\":\"mx.example.test\",\"ip\":\"192.0.2.7\",\"policy_source\":\"opportunistic\","
                + "\"policy_level\":\"may\",\"plaintext_retry\":true,\"tls_protocol\":null,\"tls_cipher\":null,"
                + "\"verified\":null,\"verification\":null,\"outcome\":\"failed\",\"reply\":\"\",\"duration_ms\":"
                + a.durationMillis() + ",\"dkim\":null}");
    }

    @Test
    void manyAttemptsKeepOneMeterPerTagSetWithEveryAttemptCounted() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AttemptLog log = new AttemptLog(NO_REPORTS, meters, DeliveryObserver.NONE);
        TlsPolicy policy = new TlsPolicy(TlsLevel.DANE, PolicyOrigin.DANE, "example.test", "mx.example.test",
                PeerVerifier.ACCEPT_ANY, "dane");
        TlsInfo tls = new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", List.of(), Verification.passed("ok"));
        List<Meter> atStart = meters.getMeters();
        DeliveryRequest req = request(List.of());
        RecipientOutcome delivered = RecipientOutcome.delivered(req.recipients().get(0), "250 ok", "mx", false);
        RecipientOutcome deferred = RecipientOutcome.deferred(req.recipients().get(0), OutcomeScope.MESSAGE,
                "4.0.0", "later", "mx");

        for (int i = 0; i < 50; i++) {
            log.attempt(req, "mx.example.test", route(policy), policy, tls, "delivered:1", "250 ok", System.nanoTime());
            log.attempt(req, "mx.example.test", route(policy), policy, null, "refused", "550 no", System.nanoTime());
            log.delivery(req, List.of(delivered), System.nanoTime());
            log.delivery(req, List.of(deferred, deferred), System.nanoTime());
        }

        // One new series (outcome "refused" exists only once it happened); the others were there from start-up.
        assertThat(meters.getMeters()).hasSize(atStart.size() + 1);
        assertThat(meters.counter("relay.delivery.attempts", "source", "dane", "outcome", "delivered").count())
                .isEqualTo(50.0);
        assertThat(meters.counter("relay.delivery.attempts", "source", "dane", "outcome", "refused").count())
                .isEqualTo(50.0);
        assertThat(meters.counter("relay.delivery.tls.sessions", "protocol", "TLSv1.3").count()).isEqualTo(50.0);
        assertThat(meters.timer("relay.delivery.latency", "outcome", "delivered").count()).isEqualTo(50);
        assertThat(meters.timer("relay.delivery.latency", "outcome", "deferred").count()).isEqualTo(50);
        assertThat(meters.timer("relay.delivery.latency", "outcome", "bounced").count()).isZero();
    }
}
