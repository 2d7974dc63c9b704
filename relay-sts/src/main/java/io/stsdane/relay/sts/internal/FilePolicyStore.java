package io.stsdane.relay.sts.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stsdane.relay.core.util.DurableFiles;
import io.stsdane.relay.core.util.OwnerGroupFiles;
import io.stsdane.relay.sts.CachedPolicy;
import io.stsdane.relay.sts.PolicyStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link PolicyStore}: one JSON file per domain in one directory ({@code <spool.dir>/mta-sts}),
 * owned by one relay node.
 *
 * <p>Every policy is written before it is used (RFC 8461 §10.2), with {@link DurableFiles#replace}: to a
 * temporary file that is fsynced, renamed over the old one atomically, and the directory fsynced. A crash leaves
 * the old file or the new one, never a mixture; leftover temporary files are removed at start-up. A file that
 * cannot be read or whose policy text no longer parses is ignored with a warning (the policy is fetched again).
 * A write that fails at any step, the directory fsync included, is a failed {@link #save}: logged, and the policy
 * is used from memory only; delivery goes on either way.
 *
 * <p>Thread-safe: writes of one domain are serialised by the cache (they share the domain's temporary file), and a
 * rename is atomic for readers.
 */
public final class FilePolicyStore implements PolicyStore {

    private static final Logger log = LoggerFactory.getLogger(FilePolicyStore.class);
    private static final int FORMAT = 1;
    private static final String SUFFIX = ".json";
    /** Canonical A-labels only: no path separators, no "..", nothing the file system could reinterpret. */
    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    /** The file format. */
    record StoredPolicy(int format, String domain, String id, long fetchedAtEpochMilli, String text) {
    }

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Opens (creating if needed) the store in {@code dir} and removes temporary files left by a crash. */
    public FilePolicyStore(Path dir) {
        this.dir = dir;
        try {
            OwnerGroupFiles.createDirectories(dir);
            try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, "*" + DurableFiles.TEMP_SUFFIX)) {
                for (Path t : temps) {
                    Files.deleteIfExists(t);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use " + dir + " as the MTA-STS policy cache directory; "
                    + "check that it exists and is writable by the relay", e);
        }
    }

    @Override
    public Optional<CachedPolicy> load(String domain) {
        Path file = file(domain);
        StoredPolicy stored;
        try {
            stored = json.readValue(Files.readAllBytes(file), StoredPolicy.class);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            log.warn("ignoring unreadable MTA-STS cache file {}: {}; the policy of {} will be fetched again",
                    file, e.getMessage(), domain);
            return Optional.empty();
        }
        if (stored.format() != FORMAT || !domain.equals(stored.domain()) || stored.id() == null
                || stored.text() == null) {
            log.warn("ignoring MTA-STS cache file {}: format {} for domain {} is not what this relay writes",
                    file, stored.format(), stored.domain());
            return Optional.empty();
        }
        try {
            return Optional.of(PolicyStore.restore(domain, stored.id(), stored.text(),
                    Instant.ofEpochMilli(stored.fetchedAtEpochMilli())));
        } catch (IllegalArgumentException e) {
            log.warn("ignoring MTA-STS cache file {}: stored policy is invalid ({})", file, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Writes {@code policy} durably; returns false (and logs) when the disk refuses. A failed directory fsync
     * counts as a failure: the file may not survive a power loss, so the store does not claim it is persisted.
     */
    @Override
    public boolean save(CachedPolicy policy) {
        Path target = file(policy.domain());
        try {
            DurableFiles.replace(target, json.writeValueAsBytes(new StoredPolicy(FORMAT, policy.domain(),
                    policy.id(), policy.fetchedAt().toEpochMilli(), policy.text())));
            return true;
        } catch (IOException e) {
            log.warn("cannot persist the MTA-STS policy of {} to {}: {}; it is used from memory only until the "
                    + "disk accepts writes again", policy.domain(), target, e.toString());
            return false;
        }
    }

    /** The directory has one writer (this node, serialised per domain by the cache), so no re-check is needed. */
    @Override
    public void delete(CachedPolicy expired) {
        String domain = expired.domain();
        try {
            DurableFiles.delete(file(domain));
        } catch (IOException e) {
            log.warn("cannot delete the MTA-STS cache file of {}: {}", domain, e.toString());
        }
    }

    /** The domains that have a cache file. */
    @Override
    public List<String> domains() {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String domain = name.substring(0, name.length() - SUFFIX.length());
                if (DOMAIN.matcher(domain).matches()) {
                    out.add(domain);
                }
            }
        } catch (IOException e) {
            log.warn("cannot list the MTA-STS cache directory {}: {}", dir, e.toString());
        }
        return out;
    }

    private Path file(String domain) {
        if (!DOMAIN.matcher(domain).matches()) {
            throw new IllegalArgumentException("not a canonical domain name: " + domain);
        }
        return dir.resolve(domain + SUFFIX);
    }
}
