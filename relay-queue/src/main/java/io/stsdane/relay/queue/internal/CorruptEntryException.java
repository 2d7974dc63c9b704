package io.stsdane.relay.queue.internal;

import java.io.IOException;

/** A spool entry that cannot be read back as written: it goes to quarantine. */
final class CorruptEntryException extends IOException {

    CorruptEntryException(String message) {
        super(message);
    }
}
