package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.QueueId;

/**
 * Where a queued message lies in the journal: its MESSAGE record (envelope, and the content unless it is
 * {@code external}, in {@code large/<id>}) and its latest STATE record with the state it holds ({@code null}:
 * nothing tried yet, the initial state). Offsets are absolute within the segment file. About 100 bytes a message
 * in memory, plus its state once it has one. Immutable.
 */
record Located(long segment, long recordLength, long envelopeOffset, int envelopeLength, boolean external,
        long contentOffset, long contentLength, long contentCrc, int recipients, State state) {

    /**
     * A STATE record: the encoded state at {@code [offset, offset + length)} of segment {@code segment}, and
     * that state, kept so that a change does not read it back.
     */
    record State(long segment, long offset, int length, long recordLength, MessageState value) {
    }

    /** The location of the MESSAGE record {@code record}, appended at {@code at}. */
    static Located of(Journal.Position at, byte[] record, int recipients) throws CorruptEntryException {
        int body = record.length - JournalRecord.FRAME;
        JournalRecord.MessageLayout l = JournalRecord.messageLayout(record, JournalRecord.FRAME, body);
        return of(at, record.length, l, recipients);
    }

    static Located of(Journal.Position at, long recordLength, JournalRecord.MessageLayout l, int recipients) {
        long bodyStart = at.offset() + JournalRecord.FRAME;
        return new Located(at.segment(), recordLength, bodyStart + l.envelopeOffset(), l.envelopeLength(),
                l.external(), bodyStart + l.contentOffset(), l.contentLength(), l.contentCrc(), recipients, null);
    }

    static State state(Journal.Position at, QueueId id, long recordLength, MessageState value) {
        int idLength = 2 + id.value().length();
        long encoded = at.offset() + JournalRecord.FRAME + idLength;
        return new State(at.segment(), encoded, (int) (recordLength - JournalRecord.FRAME - idLength),
                recordLength, value);
    }

    Located withState(State s) {
        return new Located(segment, recordLength, envelopeOffset, envelopeLength, external, contentOffset,
                contentLength, contentCrc, recipients, s);
    }

    Located withMessage(Located copy) {
        return new Located(copy.segment, copy.recordLength, copy.envelopeOffset, copy.envelopeLength, external,
                copy.contentOffset, contentLength, contentCrc, recipients, state);
    }

    boolean refersTo(long seq) {
        return segment == seq || (state != null && state.segment() == seq);
    }
}
