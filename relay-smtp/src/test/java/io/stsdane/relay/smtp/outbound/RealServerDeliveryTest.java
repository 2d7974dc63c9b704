package io.stsdane.relay.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.delivery.RecipientOutcome.Kind;
import io.stsdane.relay.core.net.Cidr;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.testing.CapturingIntake;
import io.stsdane.relay.smtp.inbound.InboundOptions;
import io.stsdane.relay.smtp.inbound.InboundServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.subethamail.smtp.helper.SimpleMessageListener;
import org.subethamail.smtp.server.SMTPServer;

/**
 * Delivery to real SMTP server implementations rather than the scripted test server: the relay's own listener
 * (SubEthaSMTP with our commands), which offers PIPELINING, and a stock SubEthaSMTP server, which does not. Each
 * refuses one of two recipients; the other gets the message, and each recipient gets its own outcome, whether
 * the envelope went as one pipelined group or command by command.
 */
class RealServerDeliveryTest {

    private static final String BODY = "Subject: test\r\n\r\nhello\r\n";

    private final EngineFixture f = new EngineFixture().oneMx("example.test", "mx.example.test", "127.0.0.1");
    private InboundServer listener;
    private SMTPServer stock;

    @AfterEach
    void close() {
        f.close();
        if (listener != null) {
            listener.stop();
        }
        if (stock != null) {
            stock.stop();
        }
    }

    /** The relay's listener offers PIPELINING; with max-recipients 1 it answers the second RCPT 452 4.5.3. */
    @Test
    void aServerOfferingPipeliningGetsTheMessageForTheRecipientItAccepted() {
        CapturingIntake intake = new CapturingIntake();
        listener = new InboundServer(InboundOptions.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .hostname("mx.example.test")
                .allowedNetworks(List.of(Cidr.parse("127.0.0.0/8")))
                .maxRecipients(1)
                .build(), intake);
        listener.start();
        f.engine(List.of(), b -> b.port(listener.port()));

        List<RecipientOutcome> out = f.deliver(Messages.simple("example.test", "a@example.test", "b@example.test"));

        assertThat(out).extracting(o -> o.recipient().address() + " " + o.kind() + " " + o.status())
                .containsExactly("a@example.test DELIVERED 2.0.0", "b@example.test DEFERRED 4.5.3");
        assertThat(intake.only().envelope().recipients()).extracting(Recipient::address)
                .containsExactly("a@example.test");
        assertThat(intake.only().text()).endsWith(BODY);
    }

    /** Stock SubEthaSMTP does not advertise PIPELINING; its listener refuses one address with 553. */
    @Test
    void aServerWithoutPipeliningGetsTheMessageForTheRecipientItAccepted() {
        Map<String, String> received = new ConcurrentHashMap<>();
        stock = SMTPServer.port(0).bindAddress(InetAddress.getLoopbackAddress()).hostName("mx.example.test")
                .simpleMessageListener(new SimpleMessageListener() {
                    @Override
                    public boolean accept(String from, String recipient) {
                        return !recipient.equals("b@example.test");
                    }

                    @Override
                    public void deliver(String from, String recipient, InputStream data) throws IOException {
                        received.put(recipient, new String(data.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }).build();
        stock.start();
        f.engine(List.of(), b -> b.port(stock.getPortAllocated()));

        List<RecipientOutcome> out = f.deliver(Messages.simple("example.test", "a@example.test", "b@example.test"));

        assertThat(out).extracting(o -> o.recipient().address() + " " + o.kind())
                .containsExactly("a@example.test DELIVERED", "b@example.test BOUNCED");
        assertThat(out.get(1).diagnostic()).startsWith("553");
        assertThat(received).containsOnlyKeys("a@example.test");
        assertThat(received.get("a@example.test")).endsWith(BODY);
    }
}
