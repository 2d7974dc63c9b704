package io.stsdane.relay.queue.internal;

import static io.stsdane.relay.queue.TestMessages.bytes;
import static io.stsdane.relay.queue.TestMessages.envelope;
import static io.stsdane.relay.queue.TestMessages.rcpt;
import static io.stsdane.relay.queue.TestMessages.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.Notify;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Ret;
import io.stsdane.relay.queue.TestMessages;
import io.stsdane.relay.testkit.time.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal segment of format version 2, as relays before the binary encoding wrote it (envelopes and states in
 * JSON): recovered, delivered from, compacted forward into the current format, never appended to.
 */
class Version2JournalTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final long SEGMENT = 64 * 1024;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private final List<FileQueueStore> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(FileQueueStore::close);
    }

    private FileQueueStore recovered() throws IOException {
        FileQueueStore s = new FileQueueStore(dir, 0, clock, SpoolSync.FSYNC, SEGMENT);
        opened.add(s);
        s.recover();
        return s;
    }

    /** A version 2 segment: header, then MESSAGE and STATE records whose envelope and state are JSON. */
    private static final class Version2Segment {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Version2Segment() {
            out.writeBytes(JournalSegment.MAGIC);
            out.write(2);
        }

        Version2Segment message(QueueId id, Envelope envelope, byte[] content) throws IOException {
            CRC32 crc = new CRC32();
            crc.update(content);
            out.writeBytes(JournalRecord.message(id, SpoolJson.MAPPER.writeValueAsBytes(envelope), false,
                    content.length, crc.getValue(), content, content.length));
            return this;
        }

        Version2Segment state(QueueId id, MessageState state) throws IOException {
            out.writeBytes(JournalRecord.state(id, SpoolJson.MAPPER.writeValueAsBytes(state)));
            return this;
        }

        Version2Segment removed(QueueId id) {
            out.writeBytes(JournalRecord.removed(id));
            return this;
        }

        Path writeTo(Path spool) throws IOException {
            Path journal = Files.createDirectories(spool.resolve("journal"));
            return Files.write(JournalSegment.path(journal, 1), out.toByteArray());
        }
    }

    private static final QueueId DEFERRED = new QueueId("V2DEFERRED");
    private static final QueueId FRESH = new QueueId("V2FRESH");
    private static final Envelope DSN_ENVELOPE = envelope("a@example.org", Ret.HDRS, T0,
            rcpt("b@example.net", Notify.SUCCESS), rcpt("c@example.net"));

    private static MessageState deferredState() {
        MessageState initial = MessageState.initial(2, T0);
        return initial.withRecipient(0, initial.recipients().get(0).attempted(
                FileQueueStoreTest.daneMismatch(T0.plusSeconds(60)), RecipientState.Status.PENDING,
                T0.plusSeconds(360), RecipientState.Report.NONE));
    }

    private Path writeVersion2Spool() throws IOException {
        return new Version2Segment()
                .message(DEFERRED, DSN_ENVELOPE, bytes(text("deferred")))
                .state(DEFERRED, deferredState())
                .message(FRESH, envelope("a@example.org", T0, rcpt("d@example.net")), bytes(text("fresh")))
                .message(new QueueId("V2GONE"), envelope("a@example.org", T0, rcpt("e@example.net")),
                        bytes(text("gone")))
                .removed(new QueueId("V2GONE"))
                .writeTo(dir);
    }

    private static byte[] read(FileQueueStore s, QueueId id) throws IOException {
        try (InputStream in = s.openVerifiedContent(id)) {
            return in.readAllBytes();
        }
    }

    private static void assertVersion2MessagesRead(FileQueueStore s) throws IOException {
        StoredMessage deferred = s.load(DEFERRED).orElseThrow();
        assertThat(deferred.envelope()).isEqualTo(DSN_ENVELOPE);
        assertThat(deferred.state()).isEqualTo(deferredState());
        assertThat(read(s, DEFERRED)).isEqualTo(bytes(text("deferred")));
        assertThat(s.load(FRESH).orElseThrow().state()).isEqualTo(MessageState.initial(1, T0));
        assertThat(read(s, FRESH)).isEqualTo(bytes(text("fresh")));
        assertThat(s.load(new QueueId("V2GONE"))).isEmpty();
    }

    @Test
    void aVersion2SegmentIsRecoveredAndNewRecordsGoToAVersion3Segment() throws Exception {
        Path old = writeVersion2Spool();
        byte[] oldBytes = Files.readAllBytes(old);
        FileQueueStore s = recovered();

        assertThat(s.size()).isEqualTo(2);
        assertVersion2MessagesRead(s);
        QueueId fresh3 = new QueueId("V3NEW");
        s.enqueue(fresh3, envelope("a@example.org", T0, rcpt("f@example.net")),
                new ByteArrayInputStream(bytes(text("new"))));
        s.update(FRESH, m -> m.state().withHeld(true));
        s.close();

        assertThat(Files.readAllBytes(old)).isEqualTo(oldBytes);
        List<Path> segments = segments();
        assertThat(segments).hasSize(2);
        assertThat(Files.readAllBytes(segments.get(1))[JournalSegment.HEADER - 1]).isEqualTo((byte) 3);
        FileQueueStore again = recovered();
        assertThat(again.size()).isEqualTo(3);
        assertThat(again.load(DEFERRED).orElseThrow().state()).isEqualTo(deferredState());
        assertThat(again.load(FRESH).orElseThrow().state().held()).isTrue();
        assertThat(read(again, fresh3)).isEqualTo(bytes(text("new")));
    }

    @Test
    void compactionMovesTheMessagesOfAVersion2SegmentIntoTheCurrentFormat() throws Exception {
        Path old = writeVersion2Spool();
        FileQueueStore s = recovered();
        // Messages that come and go fill segments until the maintenance thread compacts the oldest one.
        for (int i = 0; i < 2_000 && Files.exists(old); i++) {
            QueueId filler = new QueueId("F" + i);
            s.enqueue(filler, envelope("a@example.org", T0, rcpt("b@example.net")),
                    new ByteArrayInputStream(TestMessages.content(i, 2_000)));
            s.remove(filler);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(old));
        assertVersion2MessagesRead(s);
        s.close();

        FileQueueStore again = recovered();
        assertThat(again.size()).isEqualTo(2);
        assertVersion2MessagesRead(again);
        for (Path p : segments()) {
            assertThat(Files.readAllBytes(p)[JournalSegment.HEADER - 1]).isEqualTo((byte) 3);
        }
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("journal"))) {
            return s.sorted().toList();
        }
    }
}
