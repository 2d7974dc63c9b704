package io.stsdane.relay.smtp.inbound;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.queue.QueueId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A queue for tests that behaves like the real one: streams to a temporary file, renames it into place only
 * when the content was read to its end without error, and can be told to fail with 452 or 451.
 */
final class SpoolIntake implements MessageIntake {

    record Stored(QueueId id, Envelope envelope, byte[] content) {
        String text() {
            return new String(content, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final Path dir;
    private final AtomicInteger ids = new AtomicInteger();
    private final List<Stored> stored = new CopyOnWriteArrayList<>();
    private final Map<QueueId, Envelope> envelopes = new ConcurrentHashMap<>();
    volatile boolean full;
    volatile boolean brokenDisk;

    SpoolIntake(Path dir) {
        this.dir = dir;
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
        checkCapacity();
        Path tmp = dir.resolve(id.value() + ".tmp");
        try {
            Files.copy(content, tmp, StandardCopyOption.REPLACE_EXISTING);
            if (brokenDisk) {
                throw new IOException("disk broken (test switch)");
            }
            Path done = Files.move(tmp, dir.resolve(id.value() + ".msg"));
            stored.add(new Stored(id, envelope, Files.readAllBytes(done)));
            envelopes.put(id, envelope);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the test asserts on the directory
            }
            throw new IntakeException(451, "4.3.0", "Queue write failed", e);
        }
    }

    List<Stored> messages() {
        return List.copyOf(stored);
    }

    Stored only() {
        if (stored.size() != 1) {
            throw new AssertionError("expected exactly one queued message, found " + stored.size());
        }
        return stored.get(0);
    }

    /** Files left in the spool directory, including half-written ones. */
    List<Path> files() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
