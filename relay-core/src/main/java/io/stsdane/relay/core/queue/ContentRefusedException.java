package io.stsdane.relay.core.queue;

import java.io.IOException;

/**
 * Thrown by a message content stream, not by the queue: the sender's data was refused (a bare CR or LF, a line
 * too long, the size limit) or the sender went away mid-transfer. A queue that sees it while writing drops the
 * message as it would on any read error, but logs it as the client's doing, not as a spool failure.
 */
public final class ContentRefusedException extends IOException {

    public ContentRefusedException(String message) {
        super(message);
    }

    public ContentRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
