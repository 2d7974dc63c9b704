package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.QueueId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Copies the live records of one sealed segment to the end of the journal, so that the segment stops being
 * referenced and can be deleted. For each message that still has its MESSAGE or its latest STATE record there,
 * under the message's lock: a copy of the MESSAGE record (its content too, unless it is in {@code large/}) and
 * of its latest STATE record is appended. Then one commit makes every copy durable, and only then does the
 * index point at the copies: until then the old segment is still referenced and cannot be deleted, so a crash
 * at any moment leaves the original, the copy, or both, and replay keeps the later one. A state change or
 * removal that happened in between was appended after the copy and wins, in memory as in replay.
 * Not thread-safe: runs on the store's maintenance thread.
 */
final class JournalCompaction {

    private record Moved(QueueId id, Located from, Located to) {
    }

    private final Journal journal;
    private final FileQueueStore store;

    JournalCompaction(Journal journal, FileQueueStore store) {
        this.journal = journal;
        this.store = store;
    }

    void compact(JournalSegment segment) throws IOException {
        List<Moved> moved = new ArrayList<>();
        for (QueueId id : store.referencing(segment.seq)) {
            ReentrantLock lock = store.lock(id);
            lock.lock();
            try {
                Located from = store.located(id);
                if (from != null && from.refersTo(segment.seq)) {
                    moved.add(new Moved(id, from, copy(id, from)));
                }
            } finally {
                lock.unlock();
            }
        }
        journal.awaitDurable();
        for (Moved m : moved) {
            ReentrantLock lock = store.lock(m.id());
            lock.lock();
            try {
                switchTo(m);
            } finally {
                lock.unlock();
            }
        }
    }

    private Located copy(QueueId id, Located from) throws IOException {
        byte[] envelope = FileQueueStore.bytesAt(journal, from.segment(), from.envelopeOffset(),
                from.envelopeLength());
        byte[] content = from.external() ? new byte[0]
                : FileQueueStore.bytesAt(journal, from.segment(), from.contentOffset(), (int) from.contentLength());
        byte[] message = JournalRecord.message(id, envelope, from.external(), from.contentLength(),
                from.contentCrc(), content, content.length);
        Located to = Located.of(journal.append(message, true), message, from.recipients());
        if (from.state() != null) {
            Located.State s = from.state();
            byte[] state = JournalRecord.state(id, FileQueueStore.bytesAt(journal, s.segment(), s.offset(),
                    s.length()));
            to = to.withState(Located.state(journal.append(state, true), id, state.length, s.value()));
        }
        return to;
    }

    /** Points the index at the copy, keeping whatever changed since the copy was made. */
    private void switchTo(Moved m) {
        Located now = store.located(m.id());
        Located to = m.to();
        if (now == null) {
            // Removed meanwhile: the copies are garbage too.
            release(to);
            return;
        }
        Located next = now.withMessage(to);
        journal.unref(m.from().segment(), m.from().recordLength());
        if (now.state() == m.from().state()) {
            next = next.withState(to.state());
            if (now.state() != null) {
                journal.unref(now.state().segment(), now.state().recordLength());
            }
        } else if (to.state() != null) {
            journal.unref(to.state().segment(), to.state().recordLength());
        }
        store.relocate(m.id(), next);
    }

    private void release(Located to) {
        journal.unref(to.segment(), to.recordLength());
        if (to.state() != null) {
            journal.unref(to.state().segment(), to.state().recordLength());
        }
    }
}
