package io.stsdane.relay.queue.internal;

import io.stsdane.relay.testkit.time.MutableClock;

import static io.stsdane.relay.queue.TestMessages.bytes;
import static io.stsdane.relay.queue.TestMessages.envelope;
import static io.stsdane.relay.queue.TestMessages.rcpt;
import static io.stsdane.relay.queue.TestMessages.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.Notify;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.RecoveryReport;
import io.stsdane.relay.queue.TestMessages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileQueueStoreTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private final List<FileQueueStore> opened = new ArrayList<>();

    private FileQueueStore open(long minFree, GroupCommitter.DirectorySync sync) throws IOException {
        FileQueueStore s = new FileQueueStore(dir, minFree, clock, sync);
        opened.add(s);
        return s;
    }

    private FileQueueStore open() throws IOException {
        return open(0, GroupCommitter.DirectorySync.FSYNC);
    }

    @AfterEach
    void close() {
        opened.forEach(FileQueueStore::close);
    }

    private static byte[] read(FileQueueStore s, QueueId id) throws IOException {
        try (InputStream in = s.content(id).open()) {
            return in.readAllBytes();
        }
    }

    @Test
    void acceptedMessageSurvivesReopenWithEnvelopeAndExactBytes() throws Exception {
        FileQueueStore s = open();
        QueueId id = new QueueId("A1");
        Envelope env = new Envelope("alice@example.org",
                List.of(rcpt("bob@example.net", Notify.SUCCESS, Notify.FAILURE), rcpt("carol@example.com")),
                io.stsdane.relay.core.queue.Ret.FULL, "env-1", true, true, true, T0, "[192.0.2.1] client");
        byte[] content = bytes(text("durable"));
        s.enqueue(id, env, new ByteArrayInputStream(content));
        s.close();

        FileQueueStore again = open();
        assertThat(again.recover()).isEqualTo(new RecoveryReport(1, 0, 0, 0));
        StoredMessage m = again.load(id).orElseThrow();
        assertThat(m.envelope()).isEqualTo(env);
        assertThat(m.size()).isEqualTo(content.length);
        assertThat(m.state().recipients()).hasSize(2)
                .allSatisfy(r -> assertThat(r.status()).isEqualTo(RecipientState.Status.PENDING));
        assertThat(read(again, id)).isEqualTo(content);
    }

    @Test
    void belowFreeDiskThresholdTheQueueAnswers452AndKeepsWhatItHas() throws Exception {
        FileQueueStore s = open();
        s.enqueue(new QueueId("KEPT"), envelope("a@example.org", T0, rcpt("b@example.net")),
                new ByteArrayInputStream(bytes(text("kept"))));
        s.close();

        FileQueueStore full = open(Long.MAX_VALUE, GroupCommitter.DirectorySync.FSYNC);
        full.recover();
        assertThatThrownBy(full::checkCapacity).isInstanceOfSatisfying(IntakeException.class, e -> {
            assertThat(e.code()).isEqualTo(452);
            assertThat(e.enhancedStatus()).isEqualTo("4.3.1");
        });
        assertThatThrownBy(() -> full.enqueue(new QueueId("NEW"), envelope("a@example.org", T0,
                rcpt("b@example.net")), new ByteArrayInputStream(bytes(text("new")))))
                .isInstanceOfSatisfying(IntakeException.class, e -> assertThat(e.code()).isEqualTo(452));
        assertThat(full.load(new QueueId("KEPT"))).isPresent();
        assertThat(full.load(new QueueId("NEW"))).isEmpty();
    }

    @Test
    void aWriteThatFailsHalfwayAnswers451AndLeavesNoTrace() throws Exception {
        FileQueueStore s = open();
        s.recover();
        InputStream breaking = new SequenceInputStream(new ByteArrayInputStream(new byte[100_000]),
                new InputStream() {
                    @Override
                    public int read() throws IOException {
                        throw new IOException("client connection reset");
                    }
                });
        QueueId id = new QueueId("BROKEN");
        assertThatThrownBy(() -> s.enqueue(id, envelope("a@example.org", T0, rcpt("b@example.net")), breaking))
                .isInstanceOfSatisfying(IntakeException.class, e -> {
                    assertThat(e.code()).isEqualTo(451);
                    assertThat(e.enhancedStatus()).isEqualTo("4.3.0");
                });
        assertThat(s.size()).isZero();
        assertThat(files(dir.resolve("queue"))).isEmpty();
        assertThat(files(dir.resolve("tmp"))).isEmpty();
    }

    @Test
    void aFailedDirectoryFsyncAnswers451AndRemovesTheRenamedFile() throws Exception {
        FileQueueStore s = open(0, d -> {
            throw new IOException("EIO");
        });
        s.recover();
        assertThatThrownBy(() -> s.enqueue(new QueueId("NOSYNC"), envelope("a@example.org", T0,
                rcpt("b@example.net")), new ByteArrayInputStream(bytes(text("x")))))
                .isInstanceOfSatisfying(IntakeException.class, e -> assertThat(e.code()).isEqualTo(451));
        assertThat(files(dir.resolve("queue"))).isEmpty();
        assertThat(files(dir.resolve("tmp"))).isEmpty();
        assertThat(s.size()).isZero();
    }

    @Test
    void recoveryDropsTempFilesQuarantinesCorruptEntriesAndNeverFails() throws Exception {
        FileQueueStore s = open();
        s.recover();
        for (String id : List.of("GOOD", "TRUNC", "BADSTATE")) {
            s.enqueue(new QueueId(id), envelope("a@example.org", T0, rcpt("b@example.net")),
                    new ByteArrayInputStream(bytes(text(id))));
        }
        s.close();
        Path q = dir.resolve("queue");
        try (FileChannel ch = FileChannel.open(q.resolve("TRUNC.msg"), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 7); // lost its tail: END marker gone
        }
        Files.writeString(q.resolve("BADSTATE.st"), "{\"held\": fals");
        Files.writeString(q.resolve("stray file.txt"), "not ours");
        Files.writeString(q.resolve("GONE.st"), "{}"); // state of a message whose removal was interrupted
        Files.write(dir.resolve("tmp").resolve("HALF.msg.123"), new byte[42]);

        FileQueueStore again = open();
        RecoveryReport report = again.recover();

        assertThat(report).isEqualTo(new RecoveryReport(1, 1, 3, 1));
        assertThat(again.load(new QueueId("GOOD"))).isPresent();
        assertThat(files(dir.resolve("tmp"))).isEmpty();
        assertThat(files(dir.resolve("quarantine")))
                .anyMatch(n -> n.startsWith("TRUNC.msg."))
                .anyMatch(n -> n.startsWith("BADSTATE.msg."))
                .anyMatch(n -> n.startsWith("BADSTATE.st."))
                .anyMatch(n -> n.startsWith("stray file.txt."));
        assertThat(files(q)).containsExactly("GOOD.msg");
    }

    @Test
    void stateUpdatesAreDurableAndFinishedMessagesDoNotComeBack() throws Exception {
        FileQueueStore s = open();
        s.recover();
        QueueId id = new QueueId("ST");
        s.enqueue(id, envelope("a@example.org", T0, rcpt("b@example.net"), rcpt("c@example.net")),
                new ByteArrayInputStream(bytes(text("state"))));
        s.update(id, m -> m.state().withRecipient(0, m.state().recipients().get(0)
                .withStatus(RecipientState.Status.DELIVERED, "2.0.0", "250 ok", RecipientState.Report.NONE)));
        s.close();

        FileQueueStore again = open();
        again.recover();
        assertThat(again.load(id).orElseThrow().state().recipients())
                .extracting(RecipientState::status)
                .containsExactly(RecipientState.Status.DELIVERED, RecipientState.Status.PENDING);
        // The last recipient finishes, but a crash hits before remove(): recovery drops it, not redelivers it.
        again.update(id, m -> m.state().withRecipient(1, m.state().recipients().get(1)
                .withStatus(RecipientState.Status.DELIVERED, "2.0.0", "250 ok", RecipientState.Report.NONE)));
        again.close();
        FileQueueStore third = open();
        assertThat(third.recover().recovered()).isZero();
        assertThat(files(dir.resolve("queue"))).isEmpty();
    }

    /** A deferral after a DANE mismatch: the attempt's policy and TLS outcome are part of its history. */
    static Attempt daneMismatch(Instant at) {
        return new Attempt(at, io.stsdane.relay.core.delivery.RecipientOutcome.Kind.DEFERRED, "4.7.5",
                "mx.example.net[192.0.2.25]:25: DANE: no TLSA record matches", "",
                new io.stsdane.relay.core.delivery.AttemptSecurity(io.stsdane.relay.core.tls.PolicyOrigin.DANE,
                        io.stsdane.relay.core.tls.TlsLevel.DANE, "TLSv1.3", "TLS_AES_256_GCM_SHA384", false,
                        "no TLSA record matches the chain"));
    }

    /** The same JSON document with every {@code security} field of attempt histories removed. */
    static String withoutSecurity(String json) throws IOException {
        com.fasterxml.jackson.databind.JsonNode tree = SpoolJson.MAPPER.readTree(json);
        tree.findParents("security").forEach(n -> ((com.fasterxml.jackson.databind.node.ObjectNode) n)
                .remove("security"));
        return tree.toString();
    }

    @Test
    void attemptPolicyAndTlsSurviveRestartAndStatesWrittenBeforeThemStillRead() throws Exception {
        FileQueueStore s = open();
        s.recover();
        QueueId id = new QueueId("HIST");
        s.enqueue(id, envelope("a@example.org", T0, rcpt("b@example.net")),
                new ByteArrayInputStream(bytes(text("history"))));
        Attempt attempt = daneMismatch(T0.plusSeconds(60));
        s.update(id, m -> m.state().withRecipient(0, m.state().recipients().get(0)
                .attempted(attempt, RecipientState.Status.PENDING, T0.plusSeconds(360), RecipientState.Report.NONE)));
        s.close();

        FileQueueStore again = open();
        again.recover();
        assertThat(again.load(id).orElseThrow().state().recipients().get(0).history()).containsExactly(attempt);
        again.close();

        // What a version without the field wrote.
        Path st = dir.resolve("queue").resolve("HIST.st");
        String json = Files.readString(st);
        assertThat(json).contains("\"security\"");
        Files.writeString(st, withoutSecurity(json));
        FileQueueStore third = open();
        third.recover();
        assertThat(third.load(id).orElseThrow().state().recipients().get(0).history()).containsExactly(
                new Attempt(attempt.at(), attempt.kind(), attempt.status(), attempt.diagnostic(), ""));
    }

    @Test
    void concurrentAcceptsShareDirectoryFsyncsAndAllAreDurable() throws Exception {
        AtomicInteger syncs = new AtomicInteger();
        // A slow disk: while one fsync runs, the next batch fills up.
        FileQueueStore s = open(0, d -> {
            syncs.incrementAndGet();
            GroupCommitter.DirectorySync.FSYNC.sync(d);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        s.recover();
        int messages = 400;
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            String id = "GC" + i;
            done.add(pool.submit(() -> {
                s.enqueue(new QueueId(id), envelope("a@example.org", T0, rcpt("b@example.net")),
                        new ByteArrayInputStream(bytes(text(id))));
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        s.close();

        System.out.printf("group commit: %d messages, %d directory fsyncs%n", messages, syncs.get());
        assertThat(syncs.get()).isLessThan(messages / 2);
        FileQueueStore again = open();
        assertThat(again.recover().recovered()).isEqualTo(messages);
        for (int i = 0; i < messages; i++) {
            assertThat(read(again, new QueueId("GC" + i))).isEqualTo(bytes(text("GC" + i)));
        }
    }

    @Test
    void contentChecksumInTrailerMatchesTheBytes() throws Exception {
        FileQueueStore s = open();
        s.recover();
        byte[] content = TestMessages.content(7, 300_000);
        s.enqueue(new QueueId("CRC"), envelope("a@example.org", T0, rcpt("b@example.net")),
                new ByteArrayInputStream(content));
        SpoolFile.Layout layout = SpoolFile.read(dir.resolve("queue").resolve("CRC.msg"));
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(content);
        assertThat(layout.contentCrc()).isEqualTo(crc.getValue());
        assertThat(layout.contentLength()).isEqualTo(content.length);
    }

    static List<String> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
