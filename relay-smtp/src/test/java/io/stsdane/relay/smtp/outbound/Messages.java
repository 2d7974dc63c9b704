package io.stsdane.relay.smtp.outbound;

import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Delivery requests for tests. */
final class Messages {

    private static final AtomicInteger IDS = new AtomicInteger();

    private Messages() {
    }

    static MessageContent bytes(byte[] content) {
        return new MessageContent() {
            @Override
            public InputStream open() {
                return new ByteArrayInputStream(content);
            }

            @Override
            public long size() {
                return content.length;
            }
        };
    }

    static MessageContent text(String crlfText) {
        return bytes(crlfText.getBytes(StandardCharsets.UTF_8));
    }

    static Envelope envelope(List<Recipient> rcpts, boolean requireTls, boolean smtpUtf8, boolean eightBit) {
        return new Envelope("sender@origin.test", rcpts, null, null, requireTls, smtpUtf8, eightBit,
                Instant.now(), "[127.0.0.1] test");
    }

    static DeliveryRequest request(String domain, MessageContent content, String... recipients) {
        List<Recipient> rcpts = Arrays.stream(recipients).map(Recipient::of).toList();
        return new DeliveryRequest(new QueueId("T" + IDS.incrementAndGet()), envelope(rcpts, false, false, false),
                domain, rcpts, content);
    }

    static DeliveryRequest request(String domain, Envelope env, MessageContent content) {
        return new DeliveryRequest(new QueueId("T" + IDS.incrementAndGet()), env, domain, env.recipients(), content);
    }

    static DeliveryRequest simple(String domain, String... recipients) {
        return request(domain, text("Subject: test\r\n\r\nhello\r\n"), recipients);
    }
}
