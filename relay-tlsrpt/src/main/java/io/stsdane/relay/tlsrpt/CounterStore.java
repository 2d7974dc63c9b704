package io.stsdane.relay.tlsrpt;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * Where the counts a report is built from live, and who builds the report of a (day, policy domain): the node's
 * own files (the default, {@code counters.json} and {@code pending/} in {@link TlsRpt.Builder#directory}), or a
 * store shared by several relay nodes ({@link TlsRpt.Builder#sharedStore}), where each report must be built once
 * from every node's counts. Built reports go to the store's {@link #outbox()}. Sessions are always counted in the
 * node's memory ({@link NodeCounters}); a store persists or shares them on {@link #save()}. Implementations are
 * thread-safe and never throw: they log trouble and answer empty or false.
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
     * the store can (one transaction in a database; the file first, then the counts, in the node's own files).
     * False when nothing was stored (I/O error, or the claim was lost to another node): the caller releases the
     * claim.
     */
    boolean store(PendingReport report);

    /** No report for this claim (not wanted, or too late): forgets the counts, and no node builds it again. */
    void drop(LocalDate day, String domain);

    /** Forgets the counts and report bookkeeping of every day before {@code day}. */
    void purgeBefore(LocalDate day);

    /** Where the reports {@link #store} stored wait for their destinations; closed with this store. */
    ReportOutbox outbox();

    /** Persists the last counts and releases what the store holds. */
    @Override
    void close();

    /** Opens a store over a node's counters: how {@link TlsRpt.Builder#sharedStore} gets a shared one. */
    @FunctionalInterface
    interface Factory {

        /**
         * @param counters what this node counts; the store adds them on {@link #save()}
         * @param clock the report job's clock
         * @param sendTime the longest one hand-over of a report to one destination may take (an HTTPS upload's
         *     whole call): a store that leases destinations to one node at a time leases them for longer
         */
        CounterStore open(NodeCounters counters, Clock clock, Duration sendTime);
    }
}
