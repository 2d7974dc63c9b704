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

/**
 * The in-memory view of the spool: per message only its id, arrival, due time and flags (about 200 bytes),
 * so 100,000 queued messages cost a few MiB. Envelopes and states stay on disk. Thread-safe (one lock).
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

    synchronized boolean contains(QueueId id) {
        return entries.containsKey(id);
    }

    synchronized void put(QueueId id, Instant received, MessageState state) {
        remove(id);
        Entry e = new Entry(id, received.toEpochMilli());
        entries.put(id, e);
        set(e, state);
    }

    /** Records a new state; a leased entry stays leased. */
    synchronized void update(QueueId id, MessageState state) {
        Entry e = entries.get(id);
        if (e != null) {
            due.remove(e);
            set(e, state);
        }
    }

    private void set(Entry e, MessageState state) {
        e.held = state.held();
        e.dueMillis = state.nextDue().map(Instant::toEpochMilli).orElse(NEVER);
        if (e.schedulable()) {
            due.add(e);
        }
    }

    synchronized List<QueueId> leaseDue(Instant now, int max) {
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
        Entry e = entries.get(id);
        if (e != null && e.leased) {
            e.leased = false;
            if (e.schedulable()) {
                due.add(e);
            }
        }
    }

    synchronized boolean remove(QueueId id) {
        Entry e = entries.remove(id);
        if (e != null) {
            due.remove(e);
        }
        return e != null;
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized Optional<Instant> oldestReceived() {
        return entries.values().stream().mapToLong(e -> e.receivedMillis).min().stream()
                .mapToObj(Instant::ofEpochMilli).findFirst();
    }

    synchronized List<QueueId> ids(int limit) {
        return entries.values().stream()
                .sorted(BY_DUE)
                .limit(limit)
                .map(e -> e.id)
                .toList();
    }
}
