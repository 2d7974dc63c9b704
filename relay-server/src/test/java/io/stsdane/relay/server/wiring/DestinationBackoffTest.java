package io.stsdane.relay.server.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.core.tls.TlsReporter;
import io.stsdane.relay.queue.MessageQueue;
import io.stsdane.relay.smtp.outbound.DeliveryEngine;
import io.stsdane.relay.smtp.outbound.DeliveryOptions;
import io.stsdane.relay.smtp.outbound.HostsFile;
import io.stsdane.relay.smtp.outbound.SmtpTimeouts;
import io.stsdane.relay.testkit.smtp.ReceivedTransaction;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The queue and the SMTP delivery engine joined as the relay joins them: the queue backs a destination off only
 * when the engine reports that the destination failed, never for one recipient's 4xx. Real servers on loopback
 * addresses, an in-memory DNS, a file spool; the threshold is one failed delivery.
 */
class DestinationBackoffTest {

    @TempDir
    Path dir;

    private final InMemoryDnsResolver dns = new InMemoryDnsResolver();
    private TestSmtpServer mx;
    private DeliveryEngine engine;
    private MessageQueue queue;

    @AfterEach
    void stop() {
        if (queue != null) {
            queue.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (mx != null) {
            mx.close();
        }
    }

    private void start(SmtpBehavior behavior) throws Exception {
        mx = TestSmtpServer.start(InetAddress.getByName("127.0.0.1"), behavior);
        engine = new DeliveryEngine(DeliveryOptions.builder("relay.origin.test")
                .port(mx.port())
                .connectTimeout(Duration.ofSeconds(5))
                .timeouts(SmtpTimeouts.uniform(Duration.ofSeconds(10)))
                // The servers listen on 127.0.0.x, which the default delivery.denied-networks refuses.
                .deniedNetworks(List.of())
                .hostsFile(HostsFile.parse(""))
                .build(), dns, List.of(), TlsReporter.NONE, null);
        queue = MessageQueue.builder().directory(dir).hostname("relay.origin.test").deliveryAgent(engine)
                .minFreeDisk(0).jitter(0).pollInterval(Duration.ofMillis(20))
                .retrySchedule(List.of(Duration.ofMinutes(10))).domainFailureThreshold(1).build();
        queue.start();
    }

    private QueueId submit(String recipient) throws Exception {
        QueueId id = queue.intake().nextId();
        Envelope env = new Envelope("alice@origin.test", List.of(new Recipient(recipient, Set.of(), null)), null,
                null, false, false, false, Instant.now(), "[127.0.0.1] test");
        queue.intake().accept(id, env, new ByteArrayInputStream(("Subject: " + id + "\r\n\r\nHi.\r\n")
                .getBytes(StandardCharsets.US_ASCII)));
        return id;
    }

    private void awaitAttempts(QueueId id, int attempts) {
        await().atMost(Duration.ofSeconds(30)).until(() -> queue.admin().show(id)
                .map(m -> m.recipients().get(0).attempts() == attempts).orElse(false));
    }

    @Test
    void aDestinationWhoseMxHostsAllRefuseConnectionsIsBackedOff() throws Exception {
        start(SmtpBehavior.plain());
        // Nothing listens on 127.0.0.2 or 127.0.0.3 at the delivery port.
        dns.mx("dead.test", DnsSecurity.INSECURE, new MxRecord(10, "mx1.dead.test"), new MxRecord(20, "mx2.dead.test"))
                .address("mx1.dead.test", DnsSecurity.INSECURE, InetAddress.getByName("127.0.0.2"))
                .address("mx2.dead.test", DnsSecurity.INSECURE, InetAddress.getByName("127.0.0.3"));

        awaitAttempts(submit("a@dead.test"), 1);

        assertThat(queue.admin().backedOff()).containsKey("dead.test");
    }

    @Test
    void oneRecipientsDeferralDoesNotHoldBackMailToAnotherRecipientOfTheSameDomain() throws Exception {
        start(SmtpBehavior.builder().rcptReply("busy@busy.test", "450 4.2.1 mailbox busy").build());
        dns.mx("busy.test", DnsSecurity.INSECURE, new MxRecord(10, "mx.busy.test"))
                .address("mx.busy.test", DnsSecurity.INSECURE, InetAddress.getByName("127.0.0.1"));

        awaitAttempts(submit("busy@busy.test"), 1);
        assertThat(queue.admin().backedOff()).isEmpty();

        QueueId free = submit("free@busy.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> queue.admin().show(free).isEmpty());
        assertThat(mx.transactions()).extracting(ReceivedTransaction::recipients)
                .containsExactly(List.of("TO:<free@busy.test>"));
    }
}
