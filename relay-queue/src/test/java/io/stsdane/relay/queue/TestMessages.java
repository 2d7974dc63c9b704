package io.stsdane.relay.queue;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.Notify;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.queue.Ret;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Envelopes and contents for queue tests. */
public final class TestMessages {

    private TestMessages() {
    }

    public static Envelope envelope(String sender, Instant received, Recipient... rcpts) {
        return new Envelope(sender, List.of(rcpts), null, null, false, false, false, received, "[127.0.0.1] test");
    }

    public static Envelope envelope(String sender, Ret ret, Instant received, Recipient... rcpts) {
        return new Envelope(sender, List.of(rcpts), ret, "ENV+2B1", false, false, false, received,
                "[127.0.0.1] test");
    }

    public static Recipient rcpt(String address, Notify... notify) {
        return new Recipient(address, Set.of(notify), null);
    }

    public static String text(String subject) {
        return "From: <alice@example.org>\r\nTo: <bob@example.net>\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + subject.hashCode() + "@example.org>\r\n\r\nHello " + subject + ".\r\nBye.\r\n";
    }

    public static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Deterministic pseudo-random content of {@code size} bytes, regenerated from the seed. */
    public static byte[] content(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** A stream of {@code size} bytes that never exists whole in memory. */
    public static InputStream generated(long size) {
        return new InputStream() {
            private long left = size;

            @Override
            public int read() {
                return left-- > 0 ? (int) (left % 251) : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) (--left % 251);
                }
                return n;
            }
        };
    }
}
