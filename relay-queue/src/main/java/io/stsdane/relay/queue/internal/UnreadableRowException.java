package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.QueueId;

/**
 * A message's rows in the PostgreSQL queue that cannot be turned back into a message (JSON that does not map,
 * recipient rows that do not match the envelope, content chunks that do not add up): the message goes to
 * quarantine ({@link PgQuarantine}). Deliberately not a {@link java.sql.SQLException}: a driver error (connection
 * lost, statement timeout) says nothing about the row and must never quarantine anything. Unchecked so that it
 * passes through {@link io.stsdane.relay.postgres.SqlWork} and rolls back the transaction it is thrown in.
 */
final class UnreadableRowException extends RuntimeException {

    private final QueueId id;

    UnreadableRowException(QueueId id, String reason, Throwable cause) {
        super(reason, cause);
        this.id = id;
    }

    UnreadableRowException(QueueId id, String reason) {
        this(id, reason, null);
    }

    QueueId id() {
        return id;
    }

    /** What is wrong with the row, for {@code quarantine_reason}. */
    String reason() {
        return getMessage();
    }
}
