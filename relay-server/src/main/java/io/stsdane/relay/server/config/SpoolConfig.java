package io.stsdane.relay.server.config;

import java.nio.file.Path;

/**
 * The {@code spool:} section.
 *
 * @param dir where queued messages live (created at start-up if missing)
 * @param minFreeDisk below this many free bytes the listener refuses new mail (4xx) and readiness fails
 */
public record SpoolConfig(Path dir, long minFreeDisk) {
}
