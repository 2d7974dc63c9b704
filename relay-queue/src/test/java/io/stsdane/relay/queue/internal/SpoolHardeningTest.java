package io.stsdane.relay.queue.internal;

import static io.stsdane.relay.queue.TestMessages.bytes;
import static io.stsdane.relay.queue.TestMessages.envelope;
import static io.stsdane.relay.queue.TestMessages.rcpt;
import static io.stsdane.relay.queue.TestMessages.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.stsdane.relay.core.queue.ContentRefusedException;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.testkit.log.LogCapture;
import io.stsdane.relay.testkit.time.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spool files no other local user can read, and spool errors that are really spool errors. */
class SpoolHardeningTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void spoolDirectoriesAre0750AndFiles0640WhateverTheUmask() throws Exception {
        Path spool = tmp.resolve("new/spool");
        QueueId id = new QueueId("P1");
        try (FileQueueStore s = new FileQueueStore(spool, 0, new MutableClock(T0),
                SpoolSync.FSYNC)) {
            s.recover();
            s.enqueue(new QueueId("BIG"), envelope("a@example.org", T0, rcpt("b@example.net")),
                    new ByteArrayInputStream(io.stsdane.relay.queue.TestMessages.content(1, 2 << 20)));
            s.enqueue(id, envelope("a@example.org", T0, rcpt("b@example.net"), rcpt("c@example.net")),
                    new ByteArrayInputStream(bytes(text("private"))));
            s.update(id, m -> m.state().withRecipient(0, m.state().recipients().get(0)
                    .withStatus(RecipientState.Status.DELIVERED, "2.0.0", "250 ok", RecipientState.Report.NONE)));
        }
        for (Path dir : List.of(tmp.resolve("new"), spool, spool.resolve("journal"), spool.resolve("large"),
                spool.resolve("quarantine"))) {
            assertThat(mode(dir)).as(dir.toString()).isEqualTo("rwxr-x---");
        }
        try (Stream<Path> files = Stream.concat(Files.list(spool.resolve("journal")),
                Files.list(spool.resolve("large")))) {
            assertThat(files.map(SpoolHardeningTest::mode)).containsExactly("rw-r-----", "rw-r-----");
        }
        assertThat(mode(spool.resolve("lock"))).isEqualTo("rw-r-----");
    }

    @Test
    void dataRefusedByTheClientSideIsNoSpoolError() throws Exception {
        try (LogCapture log = LogCapture.of(FileQueueStore.class);
                FileQueueStore s = new FileQueueStore(tmp, 0, new MutableClock(T0),
                        SpoolSync.FSYNC)) {
            s.recover();
            assertThatThrownBy(() -> s.enqueue(new QueueId("R1"), envelope("a@example.org", T0,
                    rcpt("b@example.net")), failingAfterSomeBytes(new ContentRefusedException(
                            "message refused: bare-line-ending")))).isInstanceOf(IntakeException.class);
            assertThat(log.messages(Level.ERROR)).isEmpty();

            assertThatThrownBy(() -> s.enqueue(new QueueId("R2"), envelope("a@example.org", T0,
                    rcpt("b@example.net")), failingAfterSomeBytes(new IOException("No space left on device"))))
                    .isInstanceOf(IntakeException.class);
            assertThat(log.messages(Level.ERROR)).singleElement()
                    .satisfies(m -> assertThat(m).contains("R2", "check free space"));
            assertThat(s.size()).isZero();
        }
    }

    private static InputStream failingAfterSomeBytes(IOException failure) {
        return new SequenceInputStream(new ByteArrayInputStream(bytes(text("partial"))), new InputStream() {
            @Override
            public int read() throws IOException {
                throw failure;
            }
        });
    }

    private static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
