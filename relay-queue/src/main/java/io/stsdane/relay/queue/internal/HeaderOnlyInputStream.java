package io.stsdane.relay.queue.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;

/**
 * The header section of a message: every header line including its CRLF, stopping at the empty line that
 * separates header and body (RFC 5322 §2.1). Streams without buffering lines, so an absurdly long header
 * cannot fill the heap. Tolerates bare LF. Not thread-safe.
 */
final class HeaderOnlyInputStream extends InputStream {

    private final PushbackInputStream in;
    private boolean atLineStart = true;
    private boolean done;

    HeaderOnlyInputStream(InputStream in) {
        this.in = new PushbackInputStream(new BufferedInputStream(in), 1);
    }

    @Override
    public int read() throws IOException {
        if (done) {
            return -1;
        }
        int b = in.read();
        if (atLineStart && (b == '\n' || b == '\r' && peekIsLf())) {
            b = -1;
        }
        if (b < 0) {
            done = true;
            return -1;
        }
        atLineStart = b == '\n';
        return b;
    }

    private boolean peekIsLf() throws IOException {
        int next = in.read();
        if (next >= 0) {
            in.unread(next);
        }
        return next == '\n';
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
