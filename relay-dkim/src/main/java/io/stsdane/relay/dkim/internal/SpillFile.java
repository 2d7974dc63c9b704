package io.stsdane.relay.dkim.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The body of a message being signed, parked on disk until its hash is known and the signature can go in front
 * of it. The file is unlinked as soon as it is open, so a crash leaves at most an empty file, created in the
 * instant before the unlink, which {@link #removeLeftovers} deletes at start-up (the client got no 250 for it).
 * Not thread-safe: one message on one thread.
 */
final class SpillFile implements AutoCloseable {

    private final FileChannel channel;

    private SpillFile(FileChannel channel) {
        this.channel = channel;
    }

    private static final String PREFIX = "body-";

    /**
     * Deletes what a crashed relay left in {@code dir}: only call it before any message is signed there (the
     * spool's lock keeps a second relay out of the directory). Returns how many files it deleted.
     */
    static int removeLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (DirectoryStream<Path> left = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (Path p : left) {
                Files.deleteIfExists(p);
                n++;
            }
        }
        return n;
    }

    static SpillFile create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve(PREFIX + UUID.randomUUID());
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            Files.delete(p);
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(p);
            throw e;
        }
        return new SpillFile(ch);
    }

    /** Copies {@code in} to its end into the file, and into {@code also} as it passes (the body hash). */
    void write(InputStream in, OutputStream also) throws IOException {
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) >= 0; ) {
            also.write(buf, 0, n);
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
            while (bb.hasRemaining()) {
                channel.write(bb);
            }
        }
    }

    /** The body written so far, from its start. */
    InputStream input() throws IOException {
        channel.position(0);
        return new BufferedInputStream(Channels.newInputStream(channel), 64 * 1024) {
            @Override
            public void close() {
                // the channel stays open until the spill file is closed
            }
        };
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
