package io.stsdane.relay.core.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * The relay's one durable file write: the new content goes to a temporary sibling ({@code name.tmp}, mode 0640),
 * which is fsynced, renamed over the target atomically, and then the directory is fsynced so that the rename
 * itself survives a power loss (POSIX: a rename or unlink is durable only once its directory is flushed).
 * A crash leaves the old file or the new one, never a mix; a leftover {@code .tmp} is garbage the caller may
 * delete at start-up. Every failure is an {@link IOException}; none is swallowed. Stateless.
 */
public final class DurableFiles {

    /** Suffix of the temporary sibling a write goes through. */
    public static final String TEMP_SUFFIX = ".tmp";

    private static final boolean DIRECTORIES_OPENABLE =
            !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");

    /** Writes the content of a file to an open channel; the channel is forced and closed by {@link DurableFiles}. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(FileChannel channel) throws IOException;
    }

    private DurableFiles() {
    }

    /** Replaces {@code target} with {@code data} durably. */
    public static void replace(Path target, byte[] data) throws IOException {
        replace(target, ch -> writeFully(ch, ByteBuffer.wrap(data)));
    }

    /** Replaces {@code target} with what {@code writer} writes, durably; streams, so content need not fit in memory. */
    public static void replace(Path target, Writer writer) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                OwnerGroupFiles.restrictFile(tmp);
                writer.writeTo(ch);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Deletes {@code target} if it exists and makes the deletion durable. */
    public static void delete(Path target) throws IOException {
        if (Files.deleteIfExists(target)) {
            syncDirectory(target.toAbsolutePath().getParent());
        }
    }

    /**
     * Flushes the directory entry list of {@code dir}, making creations, renames and unlinks in it durable. A
     * no-op where the platform cannot open a directory (Windows), where renames are durable by themselves.
     */
    public static void syncDirectory(Path dir) throws IOException {
        if (!DIRECTORIES_OPENABLE) {
            return;
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Writes all of {@code buf} at the channel's position (a single {@code write} may write less). */
    public static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
