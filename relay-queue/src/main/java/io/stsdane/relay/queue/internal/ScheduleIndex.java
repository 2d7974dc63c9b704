package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.QueueId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The in-memory view of the spool: per message only its id, arrival, due time and flags (about 200 bytes),
 * so 100,000 queued messages cost a few MiB. Envelopes and states stay on disk. Thread-safe: one lock, which
 * a message just accepted does not take ({@link #add}): the intake thread hands its entry over and goes on to
 * its 250 instead of waiting for the scheduler's scan; every locked method takes the handed-over entries in
 * first, so each sees every add that happened before it.
 */
final class ScheduleIndex {

    private static final long NEVER = Long.MAX_VALUE;

    private static final class Entry {
        final QueueId id;
        final long receivedMillis;
        long dueMillis;
        boolean held;
        boolean leased;

        Entry(QueueId id, long receivedMillis) {
            this.id = id;
            this.receivedMillis = receivedMillis;
        }

        boolean schedulable() {
            return !held && !leased && dueMillis != NEVER;
        }
    }

    private static final Comparator<Entry> BY_DUE =
            Comparator.<Entry>comparingLong(e -> e.dueMillis).thenComparing(e -> e.id);

    private final Map<QueueId, Entry> entries = new HashMap<>();
    private final TreeSet<Entry> due = new TreeSet<>(BY_DUE);

    /** Entries of new messages not yet taken in under the lock ({@link #add}). */
    private final ConcurrentLinkedQueue<Entry> arrivals = new ConcurrentLinkedQueue<>();

    synchronized boolean contains(QueueId id) {
        takeArrivals();
        return entries.containsKey(id);
    }

    /** Adds or replaces the entry of a message. */
    synchronized void put(QueueId id, Instant received, MessageState state) {
        takeArrivals();
        insert(entry(id, received, state));
    }

    /**
     * Adds the entry of a message new to the index (an id never used before) without taking the lock: the next
     * locked call takes it in.
     */
    void add(QueueId id, Instant received, MessageState state) {
        arrivals.add(entry(id, received, state));
    }

    private static Entry entry(QueueId id, Instant received, MessageState state) {
        Entry e = new Entry(id, received.toEpochMilli());
        setFields(e, state);
        return e;
    }

    private void takeArrivals() {
        for (Entry e; (e = arrivals.poll()) != null; ) {
            insert(e);
        }
    }

    private void insert(Entry e) {
        removeEntry(e.id);
        entries.put(e.id, e);
        if (e.schedulable()) {
            due.add(e);
        }
    }

    /** Records a new state; a leased entry stays leased. */
    synchronized void update(QueueId id, MessageState state) {
        takeArrivals();
        Entry e = entries.get(id);
        if (e != null) {
            due.remove(e);
            setFields(e, state);
            if (e.schedulable()) {
                due.add(e);
            }
        }
    }

    private static void setFields(Entry e, MessageState state) {
        e.held = state.held();
        e.dueMillis = state.nextDue().map(Instant::toEpochMilli).orElse(NEVER);
    }

    synchronized List<QueueId> leaseDue(Instant now, int max) {
        takeArrivals();
        long nowMillis = now.toEpochMilli();
        List<QueueId> out = new ArrayList<>();
        while (out.size() < max && !due.isEmpty() && due.first().dueMillis <= nowMillis) {
            Entry e = due.pollFirst();
            e.leased = true;
            out.add(e.id);
        }
        return out;
    }

    synchronized void release(QueueId id) {
        takeArrivals();
        Entry e = entries.get(id);
        if (e != null && e.leased) {
            e.leased = false;
            if (e.schedulable()) {
                due.add(e);
            }
        }
    }

    synchronized boolean remove(QueueId id) {
        takeArrivals();
        return removeEntry(id);
    }

    private boolean removeEntry(QueueId id) {
        Entry e = entries.remove(id);
        if (e != null) {
            due.remove(e);
        }
        return e != null;
    }

    synchronized int size() {
        takeArrivals();
        return entries.size();
    }

    synchronized Optional<Instant> oldestReceived() {
        takeArrivals();
        return entries.values().stream().mapToLong(e -> e.receivedMillis).min().stream()
                .mapToObj(Instant::ofEpochMilli).findFirst();
    }

    synchronized List<QueueId> ids(int limit) {
        takeArrivals();
        return entries.values().stream()
                .sorted(BY_DUE)
                .limit(limit)
                .map(e -> e.id)
                .toList();
    }
}
