package io.stsdane.relay.server.admin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Ready when a file can be created and removed in the spool directory and its file system has at least
 * {@code spool.min-free-disk} free: without both, accepted mail could not be made durable. Thread-safe.
 */
public final class SpoolWritableCheck implements HealthCheck {

    private final Path dir;
    private final long minFreeBytes;

    public SpoolWritableCheck(Path dir, long minFreeBytes) {
        this.dir = dir;
        this.minFreeBytes = minFreeBytes;
    }

    @Override
    public String name() {
        return "spool";
    }

    @Override
    public Status check() {
        if (!Files.isDirectory(dir)) {
            return Status.down(dir.toAbsolutePath() + " does not exist");
        }
        try {
            Path probe = Files.createTempFile(dir, ".ready-", ".tmp");
            try {
                Files.write(probe, new byte[] {1});
            } finally {
                Files.delete(probe);
            }
            long free = Files.getFileStore(dir).getUsableSpace();
            if (free < minFreeBytes) {
                return Status.down(free + " bytes free in " + dir.toAbsolutePath() + ", below spool.min-free-disk ("
                        + minFreeBytes + " bytes)");
            }
            return Status.up(free + " bytes free");
        } catch (IOException | SecurityException e) {
            return Status.down("cannot write in " + dir.toAbsolutePath() + ": " + e);
        }
    }
}
