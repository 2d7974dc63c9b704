package io.stsdane.relay.core.queue;

import java.io.InputStream;

/**
 * How the listener hands a message to the queue. Thread-safe: many sessions call it at once.
 */
public interface MessageIntake {

    /** Allocates the id the message will have, so the listener can name it in the Received header. */
    QueueId nextId();

    /**
     * Fails fast when the queue cannot accept mail now (for example free disk below the threshold:
     * {@code 452 4.3.1}). Called at MAIL FROM; {@link #accept} checks again.
     */
    void checkCapacity() throws IntakeException;

    /**
     * Stores the message durably. Returns only when the content and envelope are on disk (fsync), so the
     * listener may then answer 250; on any failure nothing of the message remains and the exception carries
     * the reply to give.
     *
     * @param content the message exactly as it must be relayed: header and body, CRLF line endings, not
     *     dot-stuffed; read to its end and not closed by the caller before this returns
     */
    void accept(QueueId id, Envelope envelope, InputStream content) throws IntakeException;

    /**
     * {@link #accept(QueueId, Envelope, InputStream)} for a message a client submitted, saying who submitted it.
     * The queue does not need to know; an intake that signs mail (DKIM) decides by it whom it signs for.
     */
    default void accept(QueueId id, Envelope envelope, Submitter submitter, InputStream content)
            throws IntakeException {
        accept(id, envelope, content);
    }
}
