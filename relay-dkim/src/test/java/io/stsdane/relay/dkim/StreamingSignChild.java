package io.stsdane.relay.dkim;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.queue.Submitter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Run by {@link StreamingSigningTest} in a JVM whose heap is smaller than the message: signs a generated
 * message of {@code args[3]} octets with the Ed25519 key in {@code args[0]} and writes what the queue would
 * store to {@code args[1]}, spilling under {@code args[2]}. Exits 0 when done; an attempt to hold the body
 * runs out of memory.
 */
public final class StreamingSignChild {

    private StreamingSignChild() {
    }

    public static void main(String[] args) throws Exception {
        DkimKey key = DkimKey.load("big", Path.of(args[0]));
        Path out = Path.of(args[1]);
        DkimSettings settings = new DkimSettings(Map.of("example.com",
                new DkimDomain("example.com", List.of(key), Set.of())), DkimSettings.DEFAULT_HEADERS,
                Canonicalization.RELAXED, Optional.empty());
        MessageIntake file = new MessageIntake() {
            @Override
            public QueueId nextId() {
                return new QueueId("BIG1");
            }

            @Override
            public void checkCapacity() {
            }

            @Override
            public void accept(QueueId id, Envelope envelope, InputStream content) throws IntakeException {
                try (OutputStream o = Files.newOutputStream(out)) {
                    content.transferTo(o);
                } catch (IOException e) {
                    throw new IntakeException(451, "4.3.0", e.toString(), e);
                }
            }
        };
        MessageIntake signing = DkimSigning.intake(file, settings, Path.of(args[2]), Clock.systemUTC(),
                new SimpleMeterRegistry());
        Envelope envelope = new Envelope("app@example.com", List.of(Recipient.of("bob@example.net")), null, null,
                false, false, false, Instant.now(), "[127.0.0.1] child");
        signing.accept(signing.nextId(), envelope, new Submitter(Optional.empty(), true),
                new GeneratedMessage(Long.parseLong(args[3])));
    }

    /** A header block and then lines of text (with runs of spaces and tabs) up to a total size, made on demand. */
    static final class GeneratedMessage extends InputStream {

        private static final byte[] HEADER = ("From: App <app@example.com>\r\nTo: bob@example.net\r\n"
                + "Subject: big\r\nMessage-ID: <big@example.com>\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

        private final long size;
        private long position;
        private byte[] line = HEADER;
        private int linePos;
        private long lineNo;

        GeneratedMessage(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            if (position >= size) {
                return -1;
            }
            if (linePos == line.length) {
                line = String.format("line %08d  of\tgenerated \t text  \r\n", lineNo++)
                        .getBytes(StandardCharsets.US_ASCII);
                linePos = 0;
            }
            position++;
            // The last line is cut wherever the size ends: the body need not end with CRLF.
            return line[linePos++];
        }
    }
}
