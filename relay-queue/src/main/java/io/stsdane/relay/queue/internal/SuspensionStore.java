package io.stsdane.relay.queue.internal;

import io.stsdane.relay.queue.DomainSuspension;
import java.io.IOException;
import java.util.List;

/**
 * Where destination suspensions are kept durably: a file in the spool directory, or a table of the PostgreSQL
 * queue that every node reads. Implementations are thread-safe.
 */
interface SuspensionStore {

    List<DomainSuspension> load() throws IOException;

    /** Adds or replaces the suspension of its domain. */
    void save(DomainSuspension s) throws IOException;

    /** False when the domain was not suspended. */
    boolean delete(String domain) throws IOException;
}
