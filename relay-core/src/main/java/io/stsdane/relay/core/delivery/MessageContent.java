package io.stsdane.relay.core.delivery;

import java.io.IOException;
import java.io.InputStream;

/** The stored message, opened as a stream each time it is sent (never held whole in heap). */
public interface MessageContent {

    /** A new stream over the message: CRLF line endings, not dot-stuffed. The caller closes it. */
    InputStream open() throws IOException;

    /** The size in octets. */
    long size();
}
