package io.stsdane.relay.queue.internal;

import io.stsdane.relay.testkit.time.MutableClock;

import static io.stsdane.relay.queue.TestMessages.bytes;
import static io.stsdane.relay.queue.TestMessages.envelope;
import static io.stsdane.relay.queue.TestMessages.rcpt;
import static io.stsdane.relay.queue.TestMessages.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.time.Duration;
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

    private FileQueueStore open(long minFree, SpoolSync sync) throws IOException {
        FileQueueStore s = new FileQueueStore(dir, minFree, clock, sync);
        opened.add(s);
        return s;
    }

    /** A recovered store on small segments, which rotate (and get compacted and deleted) after a few messages. */
    private FileQueueStore recoveredWithSegmentsOf(long segmentSize) throws IOException {
        FileQueueStore s = new FileQueueStore(dir, 0, clock, SpoolSync.FSYNC, segmentSize);
        opened.add(s);
        s.recover();
        return s;
    }

    private FileQueueStore open() throws IOException {
        return open(0, SpoolSync.FSYNC);
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
        s.recover();
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
        s.recover();
        s.enqueue(new QueueId("KEPT"), envelope("a@example.org", T0, rcpt("b@example.net")),
                new ByteArrayInputStream(bytes(text("kept"))));
        s.close();

        FileQueueStore full = open(Long.MAX_VALUE, SpoolSync.FSYNC);
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
    void writesThatFailHalfwayAnswer451AndLeaveNoTrace() throws Exception {
        FileQueueStore s = open();
        s.recover();
        for (int size : new int[] {100_000, 3 << 20}) {
            QueueId id = new QueueId("BROKEN" + size);
            InputStream breaking = new SequenceInputStream(new ByteArrayInputStream(new byte[size]),
                    new InputStream() {
                        @Override
                        public int read() throws IOException {
                            throw new IOException("client connection reset");
                        }
                    });
            assertThatThrownBy(() -> s.enqueue(id, envelope("a@example.org", T0, rcpt("b@example.net")), breaking))
                    .isInstanceOfSatisfying(IntakeException.class, e -> {
                        assertThat(e.code()).isEqualTo(451);
                        assertThat(e.enhancedStatus()).isEqualTo("4.3.0");
                    });
        }
        assertThat(s.size()).isZero();
        assertThat(files(dir.resolve("large"))).isEmpty();
        s.close();
        assertThat(open().recover()).isEqualTo(new RecoveryReport(0, 0, 0, 0));
    }

    @Test
    void aFailedFsyncAnswers451AndTheMessageDoesNotComeBack() throws Exception {
        AtomicBoolean failing = new AtomicBoolean();
        FileQueueStore s = open(0, ch -> {
            if (failing.get()) {
                throw new IOException("EIO");
            }
            SpoolSync.FSYNC.sync(ch);
        });
        s.recover();
        failing.set(true);
        assertThatThrownBy(() -> s.enqueue(new QueueId("NOSYNC"), envelope("a@example.org", T0,
                rcpt("b@example.net")), new ByteArrayInputStream(bytes(text("x")))))
                .isInstanceOfSatisfying(IntakeException.class, e -> assertThat(e.code()).isEqualTo(451));
        assertThat(s.size()).isZero();
        s.close();
        FileQueueStore again = open();
        assertThat(again.recover().recovered()).isZero();
    }

    @Test
    void recoveryCutsATornTailQuarantinesWhatDoesNotReadAndNeverFails() throws Exception {
        FileQueueStore s = open();
        s.recover();
        for (String id : List.of("GOOD1", "DAMAGED", "GOOD2")) {
            s.enqueue(new QueueId(id), envelope("a@example.org", T0, rcpt("b@example.net")),
                    new ByteArrayInputStream(bytes(text(id))));
        }
        s.close();
        Path segment = segments().get(segments().size() - 1);
        byte[] journal = Files.readAllBytes(segment);
        int damaged = indexOf(journal, bytes(text("DAMAGED")));
        journal[damaged + 10] ^= 0x20; // a flipped bit in the content: its checksum no longer matches
        // The first 30 bytes of a record whose append a crash interrupted.
        byte[] torn = JournalRecord.message(new QueueId("TORN"), bytes("{}"), false, 5, 0, bytes("hello"), 5);
        byte[] withTail = java.util.Arrays.copyOf(journal, journal.length + 30);
        System.arraycopy(torn, 0, withTail, journal.length, 30);
        Files.write(segment, withTail);
        Files.writeString(dir.resolve("journal").resolve("stray file.txt"), "not ours");

        FileQueueStore again = open();
        RecoveryReport report = again.recover();

        assertThat(report).isEqualTo(new RecoveryReport(2, 1, 2, 0));
        assertThat(read(again, new QueueId("GOOD1"))).isEqualTo(bytes(text("GOOD1")));
        assertThat(read(again, new QueueId("GOOD2"))).isEqualTo(bytes(text("GOOD2")));
        assertThat(again.load(new QueueId("DAMAGED"))).isEmpty();
        assertThat(Files.size(segment)).isEqualTo(journal.length);
        assertThat(files(dir.resolve("quarantine")))
                .anyMatch(n -> n.startsWith(segment.getFileName() + "."))
                .anyMatch(n -> n.startsWith("stray file.txt."));
        assertThat(again.quarantinedCount()).isEqualTo(2);
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
        assertThat(third.size()).isZero();
    }

    /**
     * Compaction copies a message as two records, MESSAGE then STATE; a crash between them leaves a copy without
     * its state after the durable STATE in an older segment. Recovery keeps that state.
     */
    @Test
    void aCompactionCopyCutShortBeforeItsStateKeepsTheStateTheMessageHad() throws Exception {
        FileQueueStore s = open();
        s.recover();
        QueueId id = new QueueId("CP");
        s.enqueue(id, envelope("a@example.org", T0, rcpt("b@example.net"), rcpt("c@example.net")),
                new ByteArrayInputStream(bytes(text("copy"))));
        s.update(id, m -> m.state().withRecipient(0, m.state().recipients().get(0)
                .withStatus(RecipientState.Status.DELIVERED, "2.0.0", "250 ok", RecipientState.Report.NONE)));
        s.close();
        // The copy's MESSAGE record is the original's bytes again, appended after the STATE record.
        Path segment;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir.resolve("journal"))) {
            segment = files.filter(p -> p.toString().endsWith(".seg")).max(Path::compareTo).orElseThrow();
        }
        byte[] journal = java.nio.file.Files.readAllBytes(segment);
        int first = JournalSegment.HEADER;
        int length = JournalRecord.FRAME + JournalRecord.bodyLength(java.util.Arrays.copyOfRange(journal, first,
                first + JournalRecord.FRAME));
        java.nio.file.Files.write(segment, java.util.Arrays.copyOfRange(journal, first, first + length),
                java.nio.file.StandardOpenOption.APPEND);

        FileQueueStore again = open();
        again.recover();
        assertThat(again.load(id).orElseThrow().state().recipients())
                .extracting(RecipientState::status)
                .containsExactly(RecipientState.Status.DELIVERED, RecipientState.Status.PENDING);
        assertThat(read(again, id)).isEqualTo(bytes(text("copy")));
    }

    /** A crash between creating the next segment and writing its header leaves an empty newest file. */
    @Test
    void anEmptyNewestSegmentIsACrashDuringItsCreationNotSomethingToQuarantine() throws Exception {
        FileQueueStore s = open();
        s.recover();
        QueueId id = new QueueId("EM");
        s.enqueue(id, envelope("a@example.org", T0, rcpt("b@example.net")),
                new ByteArrayInputStream(bytes(text("empty next"))));
        s.close();
        java.nio.file.Files.createFile(dir.resolve("journal").resolve("9999999999999999.seg"));

        FileQueueStore again = open();
        RecoveryReport report = again.recover();

        assertThat(report.quarantined()).isZero();
        assertThat(read(again, id)).isEqualTo(bytes(text("empty next")));
        again.enqueue(new QueueId("EN"), envelope("a@example.org", T0, rcpt("b@example.net")),
                new ByteArrayInputStream(bytes(text("after"))));
        assertThat(again.size()).isEqualTo(2);
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

    }

    @Test
    void concurrentAcceptsShareOneFsyncAndAllAreDurable() throws Exception {
        AtomicInteger syncs = new AtomicInteger();
        // A slow disk: while one fsync runs, the next batch fills up.
        FileQueueStore s = open(0, ch -> {
            syncs.incrementAndGet();
            SpoolSync.FSYNC.sync(ch);
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        s.recover();
        int messages = 400;
        int before = syncs.get();
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
        assertThat(s.spoolSyncs()).isEqualTo(syncs.get());
        s.close();

        System.out.printf("group commit: %d messages, %d fsyncs%n", messages, syncs.get() - before);
        assertThat(syncs.get() - before).isLessThan(messages / 2);
        FileQueueStore again = open();
        assertThat(again.recover().recovered()).isEqualTo(messages);
        for (int i = 0; i < messages; i++) {
            assertThat(read(again, new QueueId("GC" + i))).isEqualTo(bytes(text("GC" + i)));
        }
    }

    /**
     * Issue 17 item 4, structurally: N intakes that end their DATA while a commit is under way all wait for the
     * next one, so N acknowledged messages cost at most two fsyncs, not N.
     */
    @Test
    void twentyConcurrentIntakesCostFewerFsyncsThanMessages() throws Exception {
        int intakes = 20;
        CountDownLatch gate = new CountDownLatch(1);
        AtomicBoolean gated = new AtomicBoolean();
        FileQueueStore s = open(0, ch -> {
            if (gated.get()) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            SpoolSync.FSYNC.sync(ch);
        });
        s.recover();
        gated.set(true);
        long before = s.spoolSyncs();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < intakes; i++) {
            QueueId id = new QueueId("N" + i);
            Thread t = new Thread(() -> {
                try {
                    s.enqueue(id, envelope("a@example.org", T0, rcpt("b@example.net")),
                            new ByteArrayInputStream(bytes(text(id.value()))));
                } catch (IntakeException e) {
                    throw new IllegalStateException(e);
                }
            });
            threads.add(t);
            t.start();
        }
        // Every intake has appended its record and waits for a commit (the first one is held at the disk).
        await().atMost(Duration.ofSeconds(30)).until(() -> threads.stream()
                .allMatch(t -> t.getState() == Thread.State.WAITING));
        gate.countDown();
        for (Thread t : threads) {
            t.join();
        }
        long syncs = s.spoolSyncs() - before;
        System.out.printf("%d concurrent intakes: %d fsyncs (%.2f per message)%n", intakes, syncs,
                (double) syncs / intakes);
        assertThat(s.size()).isEqualTo(intakes);
        assertThat(syncs).isLessThan(intakes).isLessThanOrEqualTo(2);
    }

    @Test
    void aLargeMessageKeepsAFileOfItsOwnAndComesBackByteExact() throws Exception {
        FileQueueStore s = open();
        s.recover();
        QueueId id = new QueueId("BIG");
        byte[] content = TestMessages.content(7, 3 << 20);
        s.enqueue(id, envelope("a@example.org", T0, rcpt("b@example.net")), new ByteArrayInputStream(content));
        assertThat(files(dir.resolve("large"))).containsExactly("BIG");
        assertThat(Files.size(segments().get(0))).isLessThan(64 * 1024);
        s.close();

        FileQueueStore again = open();
        assertThat(again.recover().recovered()).isEqualTo(1);
        assertThat(read(again, id)).isEqualTo(content);
        try (InputStream in = again.openVerifiedContent(id)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        again.remove(id);
        assertThat(files(dir.resolve("large"))).isEmpty();
    }

    @Test
    void finishedSegmentsAreDeletedAndLiveMessagesCompactedForward() throws Exception {
        long segment = 64 * 1024;
        FileQueueStore s = recoveredWithSegmentsOf(segment);
        List<QueueId> kept = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            QueueId id = new QueueId("C" + i);
            s.enqueue(id, envelope("a@example.org", T0, rcpt("b@example.net")),
                    new ByteArrayInputStream(TestMessages.content(i, 1_000)));
            if (i % 50 == 0) {
                kept.add(id);
                s.update(id, m -> m.state().withHeld(true));
            } else {
                s.remove(id);
            }
        }
        // 2 MB were written; what stays is 40 messages of 1 KB: the journal shrinks to a few segments.
        await().atMost(Duration.ofSeconds(30)).until(() -> journalBytes() < 6 * segment);
        for (QueueId id : kept) {
            int i = Integer.parseInt(id.value().substring(1));
            assertThat(read(s, id)).isEqualTo(TestMessages.content(i, 1_000));
        }
        s.close();

        FileQueueStore again = open();
        assertThat(again.recover().recovered()).isEqualTo(kept.size());
        for (QueueId id : kept) {
            int i = Integer.parseInt(id.value().substring(1));
            assertThat(again.load(id).orElseThrow().state().held()).isTrue();
            assertThat(read(again, id)).isEqualTo(TestMessages.content(i, 1_000));
        }
    }

    @Test
    void aContentStreamReadsOnAfterItsSegmentIsDeletedAndNoSegmentStaysOpenAfterwards() throws Exception {
        FileQueueStore s = recoveredWithSegmentsOf(64 * 1024);
        Path first = segments().get(0);
        String firstFile = first.toRealPath().toString();
        QueueId id = new QueueId("R0");
        s.enqueue(id, envelope("a@example.org", T0, rcpt("b@example.net")),
                new ByteArrayInputStream(TestMessages.content(0, 5_000)));
        InputStream open = s.content(id).open();
        byte[] head = open.readNBytes(1_000);
        s.remove(id);
        // Messages that come and go fill segments until the maintenance thread deletes the first one.
        for (int i = 1; Files.exists(first); i++) {
            QueueId filler = new QueueId("R" + i);
            s.enqueue(filler, envelope("a@example.org", T0, rcpt("b@example.net")),
                    new ByteArrayInputStream(TestMessages.content(i, 5_000)));
            assertThat(read(s, filler)).isEqualTo(TestMessages.content(i, 5_000));
            s.remove(filler);
        }
        assertThat(openFiles(dir.resolve("journal"))).anyMatch(f -> f.startsWith(firstFile));

        byte[] rest = open.readAllBytes();
        open.close();

        assertThat(concat(head, rest)).isEqualTo(TestMessages.content(0, 5_000));
        assertThat(openFiles(dir.resolve("journal"))).noneMatch(f -> f.endsWith("(deleted)"));
        s.close();
        assertThat(openFiles(dir.resolve("journal"))).isEmpty();
    }

    @Test
    void anotherThreadsInterruptDoesNotBreakAContentStreamOnTheSameSegment() throws Exception {
        FileQueueStore s = open();
        s.recover();
        QueueId a = new QueueId("IA");
        QueueId b = new QueueId("IB");
        s.enqueue(a, envelope("a@example.org", T0, rcpt("b@example.net")),
                new ByteArrayInputStream(TestMessages.content(1, 3_000)));
        s.enqueue(b, envelope("a@example.org", T0, rcpt("b@example.net")),
                new ByteArrayInputStream(TestMessages.content(2, 3_000)));
        try (InputStream reading = s.content(a).open()) {
            byte[] head = reading.readNBytes(100);
            // An interrupted reader closes the segment's shared channel (FileChannel's rule) under the others.
            Thread interrupted = new Thread(() -> {
                Thread.currentThread().interrupt();
                try (InputStream in = s.content(b).open()) {
                    in.read();
                } catch (IOException expected) {
                    // its own read is abandoned
                }
            });
            interrupted.start();
            interrupted.join();

            assertThat(concat(head, reading.readAllBytes())).isEqualTo(TestMessages.content(1, 3_000));
        }
        assertThat(read(s, b)).isEqualTo(TestMessages.content(2, 3_000));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** What this process has open in {@code d} (Linux: the targets of /proc/self/fd). */
    private static List<String> openFiles(Path d) throws IOException {
        String prefix = d.toRealPath().toString();
        List<String> out = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(prefix)) {
                        out.add(target);
                    }
                } catch (IOException closedMeanwhile) {
                    // the listing's own descriptor
                }
            }
        }
        return out;
    }

    @Test
    void aVersion1SpoolIsMigratedAtStartUpWithItsStatesAndCorruptEntriesQuarantined() throws Exception {
        Envelope env = envelope("a@example.org", T0, rcpt("b@example.net"));
        Attempt attempt = daneMismatch(T0.plusSeconds(60));
        MessageState deferred = MessageState.initial(1, T0).withRecipient(0, MessageState.initial(1, T0)
                .recipients().get(0).attempted(attempt, RecipientState.Status.PENDING, T0.plusSeconds(360),
                        RecipientState.Report.NONE));
        // What a version without the security field of attempts wrote.
        String oldState = withoutSecurity(SpoolJson.MAPPER.writeValueAsString(deferred));
        LegacySpoolWriter.write(dir, new QueueId("OLD1"), env, bytes(text("old one")), null);
        LegacySpoolWriter.write(dir, new QueueId("OLD2"), env, TestMessages.content(3, 2 << 20), oldState);
        Path broken = LegacySpoolWriter.write(dir, new QueueId("OLD3"), env, bytes(text("broken")), null);
        try (FileChannel ch = FileChannel.open(broken, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 7);
        }
        Files.write(dir.resolve("tmp").resolve("HALF.msg.123"), new byte[42]);

        FileQueueStore s = open();
        RecoveryReport report = s.recover();

        assertThat(report).isEqualTo(new RecoveryReport(2, 1, 1, 0));
        assertThat(dir.resolve("queue")).doesNotExist();
        assertThat(dir.resolve("tmp")).doesNotExist();
        assertThat(read(s, new QueueId("OLD1"))).isEqualTo(bytes(text("old one")));
        assertThat(read(s, new QueueId("OLD2"))).isEqualTo(TestMessages.content(3, 2 << 20));
        assertThat(s.load(new QueueId("OLD2")).orElseThrow().state().recipients().get(0).history()).containsExactly(
                new Attempt(attempt.at(), attempt.kind(), attempt.status(), attempt.diagnostic(), ""));
        assertThat(files(dir.resolve("quarantine"))).anyMatch(n -> n.startsWith("OLD3.msg."));
        s.close();
        assertThat(open().recover()).isEqualTo(new RecoveryReport(2, 0, 0, 0));
    }

    private long journalBytes() throws IOException {
        long n = 0;
        for (Path p : segments()) {
            n += Files.size(p);
        }
        return n;
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("journal"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    static List<String> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
