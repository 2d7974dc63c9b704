package io.stsdane.relay.server.tlsrpt.internal;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * Where the counts a report is built from live, and who builds the report of a (day, policy domain): the node's
 * own files ({@link FileCounterStore}), or a database shared by several relay nodes, where each report must be
 * built once from every node's counts. Built reports go to the store's {@link ReportOutbox}. Sessions are always counted by the node's {@link TlsRptCollector}; a
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

    /**
     * Stores the report this node built under its claim and forgets the counts it was built from, atomically where
     * the store can (one transaction in the database; the file first, then the counts, in {@link FileCounterStore}).
     * False when nothing was stored (I/O error, or the claim was lost to another node): the caller releases the
     * claim.
     */
    boolean store(PendingReport report);

    /** No report for this claim (not wanted, or too late): forgets the counts, and no node builds it again. */
    void drop(LocalDate day, String domain);

    /** Forgets the counts and report bookkeeping of every day before {@code day}. */
    void purgeBefore(LocalDate day);

    @Override
    void close();
}
