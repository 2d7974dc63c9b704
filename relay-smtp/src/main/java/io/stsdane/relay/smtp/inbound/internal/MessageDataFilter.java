package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.queue.ContentRefusedException;
import io.stsdane.relay.core.util.ChunkInputStream;
import io.stsdane.relay.smtp.inbound.BareLineEndings;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Checks dot-unstuffed DATA while it streams to the queue, a chunk at a time: bare CR or LF (SMTP
 * smuggling, RFC 5321 §2.3.8), lines over 998 octets (RFC 5322 §2.1.1) and the size limit. On the first
 * problem it records a {@link Problem} and fails every further read with a {@link ContentRefusedException}, so
 * the queue aborts, stores nothing and knows the failure is not its own (so is a read error of the client's
 * connection). Not thread-safe: one DATA transfer on one thread.
 */
final class MessageDataFilter extends ChunkInputStream {

    /** Why the data was refused, with the reply to give once the rest of DATA has been drained. */
    enum Problem {
        BARE_LINE_ENDING("bare-line-ending", Reply.of(550, "5.6.0",
                "Message contains a bare CR or LF; only CRLF line endings are allowed (RFC 5321 2.3.8)")),
        LINE_TOO_LONG("line-too-long", Reply.of(550, "5.6.0",
                "Message has a line longer than 998 octets (RFC 5322 2.1.1); use quoted-printable or base64")),
        TOO_BIG("size", null);

        final String reason;
        final Reply reply;

        Problem(String reason, Reply reply) {
            this.reason = reason;
            this.reply = reply;
        }
    }

    private static final int CR = '\r';
    private static final int LF = '\n';
    private static final int MAX_LINE = 998;
    private static final int CHUNK = 8192;

    private final InputStream in;
    private final BareLineEndings policy;
    private final long maxSize;
    private final byte[] chunk = new byte[CHUNK];
    private int pos;
    private int limit;
    /** An octet produced (by normalizing) when the caller's buffer was full, or -1. */
    private int carry = -1;
    private boolean afterCr;
    private int lineLength;
    private long size;
    private boolean eof;
    private Problem problem;

    MessageDataFilter(InputStream in, BareLineEndings policy, long maxSize) {
        this.in = in;
        this.policy = policy;
        this.maxSize = maxSize;
    }

    /** The problem found, or null. */
    Problem problem() {
        return problem;
    }

    /** The reply for the problem found (null without one). */
    Reply problemReply() {
        if (problem == null) {
            return null;
        }
        return problem == Problem.TOO_BIG
                ? Reply.of(552, "5.3.4", "Message size exceeds the limit of " + maxSize + " octets")
                : problem.reply;
    }

    /** Whether the end of DATA was reached without a problem. */
    boolean complete() {
        return eof && problem == null;
    }

    /**
     * Checks a chunk of the data below at a time, octet by octet in the order they came, so the first problem is
     * the one an octet-at-a-time reading would find.
     */
    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        int end = off + len;
        int o = off;
        if (carry >= 0) {
            b[o++] = (byte) carry;
            carry = -1;
        }
        while (o == off) {
            if (problem != null) {
                throw new ContentRefusedException("message refused: " + problem.reason);
            }
            if (pos == limit) {
                if (eof) {
                    return -1;
                }
                o = fill(b, o, end);
            } else {
                o = scan(b, o, end);
            }
        }
        return o - off;
    }

    /** Reads the next chunk from below; at its end, settles a pending CR. Returns the new output position. */
    private int fill(byte[] b, int o, int end) throws IOException {
        int n;
        try {
            n = in.read(chunk, 0, CHUNK);
        } catch (IOException e) {
            throw new ContentRefusedException("the client's data stopped: " + e.getMessage(), e);
        }
        if (n > 0) {
            pos = 0;
            limit = n;
            return o;
        }
        if (n == 0) {
            return o;
        }
        if (afterCr) {
            afterCr = false;
            bare();
            o = emit(b, o, end, LF);
            lineLength = 0;
        }
        eof = true;
        return o;
    }

    /**
     * Checks and copies octets of the chunk while the caller's buffer has room and the size limit allows; the
     * octets between line endings in one copy.
     */
    private int scan(byte[] b, int o, int end) throws IOException {
        int stop = (int) Math.min(limit, pos + (maxSize - size));
        int start = pos;
        while (pos < stop && o < end) {
            if (!afterCr) {
                int runEnd = Math.min(stop, pos + (end - o));
                int i = pos;
                while (i < runEnd && chunk[i] != CR && chunk[i] != LF) {
                    i++;
                }
                int run = i - pos;
                if (lineLength + run > MAX_LINE) {
                    fail(Problem.LINE_TOO_LONG);
                }
                System.arraycopy(chunk, pos, b, o, run);
                lineLength += run;
                o += run;
                pos = i;
                if (pos == stop || o == end) {
                    break;
                }
            }
            o = accept(chunk[pos++] & 0xff, b, o, end);
        }
        size += pos - start;
        if (pos == stop && stop < limit) {
            fail(Problem.TOO_BIG);
        }
        return o;
    }

    /** One octet that is a CR or LF, or follows a CR. */
    private int accept(int c, byte[] b, int o, int end) throws IOException {
        if (afterCr) {
            afterCr = false;
            if (c == LF) {
                lineLength = 0;
                return emit(b, o, end, LF);
            }
            // A CR not followed by LF: normalizing completes the pair, then c is an ordinary octet.
            bare();
            o = emit(b, o, end, LF);
            lineLength = 0;
        } else if (c == LF) {
            bare();
            o = emit(b, o, end, CR);
            lineLength = 0;
            return emit(b, o, end, LF);
        }
        if (c == CR) {
            afterCr = true;
        } else if (++lineLength > MAX_LINE) {
            fail(Problem.LINE_TOO_LONG);
        }
        return emit(b, o, end, c);
    }

    private int emit(byte[] b, int o, int end, int c) {
        if (o == end) {
            carry = c;
            return o;
        }
        b[o] = (byte) c;
        return o + 1;
    }

    /** A bare CR or LF (RFC 5321 §2.3.8): refused, unless the policy is to normalize it. */
    private void bare() throws IOException {
        if (policy == BareLineEndings.REJECT) {
            fail(Problem.BARE_LINE_ENDING);
        }
    }

    private void fail(Problem p) throws IOException {
        problem = p;
        throw new ContentRefusedException("message refused: " + p.reason);
    }
}
