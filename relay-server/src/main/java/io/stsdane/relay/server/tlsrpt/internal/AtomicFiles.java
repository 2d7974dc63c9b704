package io.stsdane.relay.server.tlsrpt.internal;

import io.stsdane.relay.core.util.OwnerGroupFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Crash-safe file replacement: a reader sees the old content or the new one, never a torn file. */
final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Writes {@code data} to a temporary sibling, fsyncs it, renames it over {@code target}, fsyncs the directory. */
    static void write(Path target, byte[] data) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OwnerGroupFiles.restrictFile(tmp);
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(target.getParent());
    }

    /** Deletes {@code target} and makes the deletion durable. */
    static void delete(Path target) throws IOException {
        Files.deleteIfExists(target);
        syncDirectory(target.getParent());
    }

    /** The rename or unlink is only durable once the directory entry is flushed (POSIX). */
    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory for reading; the rename itself is still atomic there.
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("win")) {
                throw e;
            }
        }
    }
}
