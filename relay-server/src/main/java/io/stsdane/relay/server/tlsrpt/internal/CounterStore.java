package io.stsdane.relay.server.tlsrpt.internal;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * Where the counts a report is built from live, and who builds the report of a (day, policy domain): the node's
 * own files ({@link FileCounterStore}), or a database shared by several relay nodes, where each report must be
 * built once from every node's counts. Sessions are always counted by the node's {@link TlsRptCollector}; a
 * store persists or shares them on {@link #save()}. Implementations are thread-safe and never throw.
 */
public interface CounterStore extends AutoCloseable {

    /** Persists (or shares) what the collector counted so far. */
    void save();

    /** The days that have counts, oldest first. */
    List<LocalDate> days();

    /** The counts of {@code day}, grouped by policy domain. */
    Map<String, List<PolicyCounts>> countsByDomain(LocalDate day);

    /** True when this node is to build the report of {@code domain} on {@code day}; false when another does. */
    boolean claim(LocalDate day, String domain);

    /** Gives a claim back without a report, so that a later run (of any node) tries again. */
    void release(LocalDate day, String domain);

    /** The report is stored (or not wanted): forgets the counts, and no node builds it again. */
    void markSent(LocalDate day, String domain);

    @Override
    void close();
}
