package io.stsdane.relay.smtp.outbound;

import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.testing.InMemoryContent;
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
        return request(domain, InMemoryContent.ofText("Subject: test\r\n\r\nhello\r\n"), recipients);
    }

    /**
     * {@code size} octets of CRLF lines, some starting with a dot, produced on the fly so the test itself holds
     * no copy.
     */
    static MessageContent generated(long size) {
        return new MessageContent() {
            @Override
            public InputStream open() {
                return new InputStream() {
                    private long pos;
                    private byte[] line = new byte[0];
                    private int at;
                    private long n;

                    @Override
                    public int read() {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) {
                        if (pos >= size) {
                            return -1;
                        }
                        int done = 0;
                        while (done < len && pos < size) {
                            if (at == line.length) {
                                line = ((n % 7 == 0 ? "." : "") + "line " + n++ + " of a large message, padded"
                                        + " to a realistic length with some text\r\n").getBytes(StandardCharsets.US_ASCII);
                                if (size - pos < line.length + 100) {
                                    // The last line ends exactly at size, with CRLF.
                                    line = ("x".repeat((int) (size - pos - 2)) + "\r\n")
                                            .getBytes(StandardCharsets.US_ASCII);
                                }
                                at = 0;
                            }
                            int k = (int) Math.min(Math.min(len - done, line.length - at), size - pos);
                            System.arraycopy(line, at, b, off + done, k);
                            at += k;
                            done += k;
                            pos += k;
                        }
                        return done;
                    }
                };
            }

            @Override
            public long size() {
                return size;
            }
        };
    }
}
