package io.stsdane.relay.core.util;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Permissions for everything the relay writes under {@code spool.dir}: queued mail, the MTA-STS policy cache,
 * TLS-RPT state. Directories are {@code rwxr-x---} (0750) and files {@code rw-r-----} (0640) whatever the
 * process umask, so that no other local user can read mail, while a monitoring or backup user in the relay's
 * group still can. The mode is set after creation, since a mode given at creation is narrowed by the umask.
 * On a file system without POSIX permissions these methods only create. Stateless.
 */
public final class OwnerGroupFiles {

    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwxr-x---");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-r-----");

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private OwnerGroupFiles() {
    }

    /** Creates {@code dir} and missing parents like {@link Files#createDirectories}; sets 0750 on those it created. */
    public static Path createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        Path missing = absolute;
        while (missing.getParent() != null && !Files.exists(missing.getParent())) {
            missing = missing.getParent();
        }
        boolean existed = Files.isDirectory(absolute);
        Files.createDirectories(absolute);
        if (!existed) {
            for (Path p = absolute; p != null && p.startsWith(missing); p = p.getParent()) {
                restrictDirectory(p);
            }
        }
        return dir;
    }

    /** Sets 0750 on a directory the relay owns. */
    public static void restrictDirectory(Path dir) throws IOException {
        if (POSIX) {
            Files.setPosixFilePermissions(dir, DIRECTORY);
        }
    }

    /** Sets 0640 on a file the relay just created (before it holds anything worth reading). */
    public static Path restrictFile(Path file) throws IOException {
        if (POSIX) {
            Files.setPosixFilePermissions(file, FILE);
        }
        return file;
    }

    /**
     * Whether other users (not owner, not group) may read or enter {@code path}; false on a file system
     * without POSIX permissions.
     */
    public static boolean openToOthers(Path path) throws IOException {
        if (!POSIX) {
            return false;
        }
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(path);
        return p.contains(PosixFilePermission.OTHERS_READ) || p.contains(PosixFilePermission.OTHERS_EXECUTE);
    }
}
