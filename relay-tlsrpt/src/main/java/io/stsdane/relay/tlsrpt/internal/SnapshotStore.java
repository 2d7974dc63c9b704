package io.stsdane.relay.tlsrpt.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stsdane.relay.core.util.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persists the collector's counters as one JSON file ({@code counters.json}) so that a restart does not lose a
 * day of reporting. Thread-safe: writes are serialized.
 */
final class SnapshotStore {

    private static final Logger log = LoggerFactory.getLogger(SnapshotStore.class);
    private static final String FILE = "counters.json";

    private final Path file;
    private final ObjectMapper json;

    SnapshotStore(Path directory, ObjectMapper json) {
        this.file = directory.resolve(FILE);
        this.json = json;
    }

    /**
     * Reads the last snapshot. A missing file is an empty snapshot; an unreadable one is moved aside (the
     * counters it held are lost, mail is not) and reported, so the relay still starts.
     */
    CounterSnapshot load() {
        if (!Files.exists(file)) {
            return CounterSnapshot.empty();
        }
        try {
            CounterSnapshot snapshot = json.readValue(file.toFile(), CounterSnapshot.class);
            if (snapshot.version() != CounterSnapshot.VERSION) {
                throw new IOException("unknown format version " + snapshot.version());
            }
            return snapshot;
        } catch (IOException | RuntimeException e) {
            Path aside = file.resolveSibling(FILE + ".corrupt-" + System.currentTimeMillis());
            log.error("TLS-RPT: cannot read {} ({}); moved it to {} and starting with empty counters",
                    file, e.getMessage(), aside);
            try {
                Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailed) {
                log.error("TLS-RPT: cannot move {} aside: {}", file, moveFailed.toString());
            }
            return CounterSnapshot.empty();
        }
    }

    synchronized void save(CounterSnapshot snapshot) throws IOException {
        DurableFiles.replace(file, json.writeValueAsBytes(snapshot));
    }
}
