package io.stsdane.relay.tlsrpt;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * The sessions this relay node counted and still holds in memory, as a {@link CounterStore} sees them: a store
 * shared by several nodes adds them to its own totals, then lets the node forget the days it has taken over.
 * Thread-safe; sessions are counted on while a store reads.
 */
public interface NodeCounters {

    /** A copy of every count, per UTC day, oldest first; each counter is read once. */
    Map<LocalDate, List<PolicyCounts>> counts();

    /** Forgets every count of {@code day}. */
    void forget(LocalDate day);
}
