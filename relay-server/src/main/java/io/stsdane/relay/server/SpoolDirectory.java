package io.stsdane.relay.server;

import io.stsdane.relay.core.util.OwnerGroupFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code spool.dir} at start-up: created {@code 0750} when missing; an existing one that other local users may
 * enter or list is left as it is (the operator may have reasons) but reported, since they could read queued
 * mail. Stateless.
 */
final class SpoolDirectory {

    private static final Logger log = LoggerFactory.getLogger(SpoolDirectory.class);

    private SpoolDirectory() {
    }

    static void prepare(Path dir) throws IOException {
        boolean existed = Files.isDirectory(dir);
        OwnerGroupFiles.createDirectories(dir);
        if (existed && OwnerGroupFiles.openToOthers(dir)) {
            log.warn("spool.dir {} is open to other users ({}): any local user may read queued mail; make it"
                    + " 0750 (chmod 0750 {}) or move it", dir.toAbsolutePath(),
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)),
                    dir.toAbsolutePath());
        }
    }
}
