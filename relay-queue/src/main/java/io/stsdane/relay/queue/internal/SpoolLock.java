package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.util.OwnerGroupFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a spool directory ({@code spool.dir/lock}), held while a process uses the spool. Two
 * relays on one file spool would each lease the same messages and deliver them twice, and a migration must not
 * move messages a running relay is delivering. The operating system releases the lock when the process dies,
 * so a crash never leaves a stale lock behind. The file holds the pid of the holder, for the error message.
 * Not thread-safe; closed once.
 */
final class SpoolLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private SpoolLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock or fails at once, naming the holder. */
    static SpoolLock acquire(Path spoolDir) throws IOException {
        Path file = spoolDir.resolve("lock");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        OwnerGroupFiles.restrictFile(file);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = holder(channel);
            channel.close();
            throw new IOException(spoolDir.toAbsolutePath() + " is in use by another relay process"
                    + (holder.isEmpty() ? "" : " (pid " + holder + ")") + ": stop it first, or give this one a"
                    + " spool directory of its own (" + file + " is locked)");
        }
        channel.truncate(0);
        channel.write(StandardCharsets.US_ASCII.encode(ProcessHandle.current().pid() + "\n"), 0);
        return new SpoolLock(channel, lock);
    }

    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(32);
        channel.read(buf, 0);
        buf.flip();
        return StandardCharsets.US_ASCII.decode(buf).toString().strip();
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
