package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.util.ChunkInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The DATA octets up to the end-of-data indicator CRLF.CRLF, dot-unstuffed (RFC 5321 §4.5.2: a line that is a
 * single period ends the data, the first period of any other line starting with one is removed, the first line
 * included), read from the connection a chunk at a time. Bare CR and LF are passed on untouched for the checks
 * above. It never consumes an octet past the indicator: the connection's input must support mark and reset (the
 * session's buffered input does), and the chunk that holds the indicator is rewound to just after it, so the
 * commands a client pipelines after DATA stay unread. A connection that ends before the indicator fails the read
 * with an {@link EOFException}. Not thread-safe: one DATA transfer on its session's thread.
 */
final class DotTerminatedData extends ChunkInputStream {

    private static final int CHUNK = 8192;
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    /** Where the octets seen so far leave the input, relative to a line start and the indicator. */
    private enum At {
        /** Inside a line, the last octet not a CR. */
        LINE,
        /** The last octet a CR (emitted). */
        CR,
        /** At the start of a line: after CRLF, or at the start of the data. */
        START,
        /** A period at the start of a line (withheld: removed unless it ends the data). */
        DOT,
        /** A period and a CR at the start of a line (both withheld). */
        DOT_CR,
        /** After the indicator. */
        END
    }

    private final InputStream in;
    private final byte[] chunk = new byte[CHUNK];
    private int pos;
    private int limit;
    private At at = At.START;

    DotTerminatedData(InputStream in) {
        if (!in.markSupported()) {
            throw new IllegalArgumentException("the connection's input must support mark and reset");
        }
        this.in = in;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        int n = 0;
        while (n == 0 && at != At.END) {
            if (pos == limit) {
                fill();
            }
            n = decode(b, off, off + len) - off;
        }
        return n == 0 ? -1 : n;
    }

    private void fill() throws IOException {
        in.mark(CHUNK);
        int n = in.read(chunk, 0, CHUNK);
        if (n < 0) {
            throw new EOFException("Pre-mature end of <CRLF>.<CRLF> terminated data");
        }
        pos = 0;
        limit = n;
    }

    /** Decodes octets of the chunk into b while both last; returns the new output position. */
    private int decode(byte[] b, int o, int end) throws IOException {
        while (pos < limit && o < end) {
            byte c = chunk[pos];
            switch (at) {
                case LINE -> {
                    int i = pos;
                    int runEnd = Math.min(limit, pos + (end - o));
                    while (i < runEnd && chunk[i] != CR) {
                        i++;
                    }
                    System.arraycopy(chunk, pos, b, o, i - pos);
                    o += i - pos;
                    pos = i;
                    if (i < runEnd) {
                        b[o++] = CR;
                        pos++;
                        at = At.CR;
                    }
                }
                case CR -> {
                    b[o++] = c;
                    pos++;
                    at = c == LF ? At.START : c == CR ? At.CR : At.LINE;
                }
                case START -> {
                    if (c == '.') {
                        pos++;
                        at = At.DOT;
                    } else {
                        at = At.LINE;
                    }
                }
                // The period is removed; what follows it is line content.
                case DOT -> {
                    if (c == CR) {
                        pos++;
                        at = At.DOT_CR;
                    } else {
                        at = At.LINE;
                    }
                }
                case DOT_CR -> {
                    if (c == LF) {
                        pos++;
                        at = At.END;
                        rewind();
                        return o;
                    }
                    b[o++] = CR;
                    at = At.CR;
                }
                case END -> throw new IllegalStateException("read past the end of the data");
            }
        }
        return o;
    }

    /** Leaves the input just after the indicator: the rest of the chunk is the client's next commands. */
    private void rewind() throws IOException {
        if (pos == limit) {
            return;
        }
        in.reset();
        long left = pos;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                throw new IOException("could not skip to the end of the data after a reset");
            }
            left -= skipped;
        }
    }
}
