package io.stsdane.relay.queue.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import io.stsdane.relay.queue.DomainSuspension;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Suspensions of the file spool in {@code spool.dir/suspensions.json}, replaced atomically (temporary file,
 * fsync, rename), so a suspension survives a restart. Only the relay that holds the spool lock writes it.
 * Thread-safe (writes are serialized).
 */
final class FileSuspensionStore implements SuspensionStore {

    private static final TypeReference<List<DomainSuspension>> LIST = new TypeReference<>() {
    };

    private final Path file;

    FileSuspensionStore(Path spoolDir) {
        this.file = spoolDir.resolve("suspensions.json");
    }

    @Override
    public synchronized List<DomainSuspension> load() throws IOException {
        return Files.exists(file) ? SpoolJson.MAPPER.readValue(file.toFile(), LIST) : List.of();
    }

    @Override
    public synchronized void save(DomainSuspension s) throws IOException {
        List<DomainSuspension> all = new ArrayList<>(load());
        all.removeIf(x -> x.domain().equals(s.domain()));
        all.add(s);
        write(all);
    }

    @Override
    public synchronized boolean delete(String domain) throws IOException {
        List<DomainSuspension> all = new ArrayList<>(load());
        boolean removed = all.removeIf(x -> x.domain().equals(domain));
        if (removed) {
            write(all);
        }
        return removed;
    }

    private void write(List<DomainSuspension> all) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(SpoolJson.MAPPER.writeValueAsBytes(all));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
