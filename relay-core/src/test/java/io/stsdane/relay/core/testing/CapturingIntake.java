package io.stsdane.relay.core.testing;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.queue.QueueId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A {@link MessageIntake} that keeps what it accepts for the test to look at, and keeps the queue's promise:
 * a message is accepted only when its content was read to the end without error, and a refused one leaves
 * nothing behind. Ids are {@code Q1}, {@code Q2}...
 *
 * <p>Two ways to build it: {@code new CapturingIntake()} reads each message into memory;
 * {@link #spoolingTo(Path)} streams it to {@code <id>.tmp} in a directory and renames it to {@code <id>.msg}
 * only when complete, as the real spool does, so a test can also assert that no half-written file remains
 * ({@link #files()}).
 *
 * <p>Switches make it refuse as a real queue does: {@link #full} ({@code 452 4.3.1} at {@link #checkCapacity()}
 * and at {@link #accept}) and {@link #brokenDisk} ({@code 451 4.3.0} once the content has been read).
 *
 * <p>Thread-safe: many sessions may hand it messages at once while the test flips switches and reads.
 */
public final class CapturingIntake implements MessageIntake {

    /** One accepted message, its content exactly as handed over. */
    public record Accepted(QueueId id, Envelope envelope, byte[] content) {

        /** The content as UTF-8 text. */
        public String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    private final Path spoolDirectory;
    private final AtomicInteger ids = new AtomicInteger();
    private final List<Accepted> accepted = new CopyOnWriteArrayList<>();
    private volatile boolean full;
    private volatile boolean brokenDisk;
    private volatile CompletableFuture<Boolean> gate;
    private volatile boolean stalled;

    /** An intake that reads each message into memory. */
    public CapturingIntake() {
        this(null);
    }

    private CapturingIntake(Path spoolDirectory) {
        this.spoolDirectory = spoolDirectory;
    }

    /** An intake that streams each message through a file in {@code directory} (which must exist). */
    public static CapturingIntake spoolingTo(Path directory) {
        return new CapturingIntake(directory);
    }

    /** While {@code true}, refuses mail as a queue whose disk is full does: {@code 452 4.3.1}. */
    public CapturingIntake full(boolean full) {
        this.full = full;
        return this;
    }

    /** While {@code true}, every write fails after the content was read: {@code 451 4.3.0}, nothing kept. */
    public CapturingIntake brokenDisk(boolean brokenDisk) {
        this.brokenDisk = brokenDisk;
        return this;
    }

    /**
     * The next accept waits for {@code gate}, like a node that hangs in the middle of a hand-over: true then
     * takes the message, false refuses it (the node died there).
     */
    public CapturingIntake stallUntil(CompletableFuture<Boolean> gate) {
        this.gate = gate;
        return this;
    }

    /** Whether an accept is waiting (or waited) for the gate of {@link #stallUntil}. */
    public boolean stalled() {
        return stalled;
    }

    @Override
    public QueueId nextId() {
        return new QueueId("Q" + ids.incrementAndGet());
    }

    @Override
    public void checkCapacity() throws IntakeException {
        if (full) {
            throw new IntakeException(452, "4.3.1", "Insufficient system storage");
        }
    }

    @Override
    public void accept(QueueId id, Envelope envelope, InputStream content) throws IntakeException {
        CompletableFuture<Boolean> waitFor = gate;
        if (waitFor != null) {
            gate = null;
            stalled = true;
            if (!waitFor.join()) {
                throw new IntakeException(421, "4.3.0", "the node died during the hand-over");
            }
        }
        checkCapacity();
        try {
            byte[] stored = spoolDirectory == null ? readWhole(content) : spool(id, content);
            accepted.add(new Accepted(id, envelope, stored));
        } catch (IOException e) {
            throw new IntakeException(451, "4.3.0", "Queue write failed", e);
        }
    }

    private byte[] readWhole(InputStream content) throws IOException {
        byte[] bytes = content.readAllBytes();
        failIfDiskBroken();
        return bytes;
    }

    private byte[] spool(QueueId id, InputStream content) throws IOException {
        Path tmp = spoolDirectory.resolve(id.value() + ".tmp");
        try {
            Files.copy(content, tmp, StandardCopyOption.REPLACE_EXISTING);
            failIfDiskBroken();
            return Files.readAllBytes(Files.move(tmp, spoolDirectory.resolve(id.value() + ".msg")));
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private void failIfDiskBroken() throws IOException {
        if (brokenDisk) {
            throw new IOException("disk broken (test switch)");
        }
    }

    /** The messages accepted so far, in order: a snapshot. */
    public List<Accepted> accepted() {
        return List.copyOf(accepted);
    }

    /** The one message accepted so far; fails the test when there is none or more than one. */
    public Accepted only() {
        List<Accepted> now = accepted();
        if (now.size() != 1) {
            throw new AssertionError("expected exactly one accepted message, found " + now.size());
        }
        return now.get(0);
    }

    /** The files in the spool directory, half-written ones included; only for {@link #spoolingTo(Path)}. */
    public List<Path> files() {
        if (spoolDirectory == null) {
            throw new IllegalStateException("this intake keeps messages in memory: build it with spoolingTo(dir)");
        }
        try (Stream<Path> s = Files.list(spoolDirectory)) {
            return s.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
