package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.queue.ContentRefusedException;
import io.stsdane.relay.smtp.inbound.BareLineEndings;
import java.io.IOException;
import java.io.InputStream;

/**
 * Checks dot-unstuffed DATA while it streams to the queue, holding at most two octets: bare CR or LF (SMTP
 * smuggling, RFC 5321 §2.3.8), lines over 998 octets (RFC 5322 §2.1.1) and the size limit. On the first
 * problem it records a {@link Problem} and fails every further read with a {@link ContentRefusedException}, so
 * the queue aborts, stores nothing and knows the failure is not its own (so is a read error of the client's
 * connection). Not thread-safe: one DATA transfer on one thread.
 */
final class MessageDataFilter extends InputStream {

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

    private final InputStream in;
    private final BareLineEndings policy;
    private final long maxSize;
    private final int[] out = new int[2];
    private int outCount;
    private int outPos;
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

    @Override
    public int read() throws IOException {
        while (outPos == outCount) {
            if (eof) {
                return -1;
            }
            outPos = 0;
            outCount = 0;
            fill();
        }
        return out[outPos++];
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int n = 0;
        while (n < len) {
            int c = read();
            if (c < 0) {
                return n == 0 ? -1 : n;
            }
            b[off + n++] = (byte) c;
        }
        return n;
    }

    private void fill() throws IOException {
        if (problem != null) {
            throw new ContentRefusedException("message refused: " + problem.reason);
        }
        int b;
        try {
            b = in.read();
        } catch (IOException e) {
            throw new ContentRefusedException("the client's data stopped: " + e.getMessage(), e);
        }
        if (b < 0) {
            if (afterCr) {
                bare(-1);
            } else {
                eof = true;
            }
            return;
        }
        if (++size > maxSize) {
            fail(Problem.TOO_BIG);
        }
        accept(b);
    }

    private void accept(int b) throws IOException {
        if (afterCr) {
            afterCr = false;
            if (b == LF) {
                lineLength = 0;
                push(LF);
            } else {
                bare(b);
            }
        } else if (b == CR) {
            afterCr = true;
            push(CR);
        } else if (b == LF) {
            bare(b);
        } else {
            if (++lineLength > MAX_LINE) {
                fail(Problem.LINE_TOO_LONG);
            }
            push(b);
        }
    }

    /**
     * A CR not followed by LF ({@code next} is what followed, or -1 at the end), or an LF without CR. Normalizing
     * completes the CRLF pair and then handles {@code next} as an ordinary octet.
     */
    private void bare(int next) throws IOException {
        if (policy == BareLineEndings.REJECT) {
            fail(Problem.BARE_LINE_ENDING);
        }
        boolean lfAlone = next == LF;
        if (lfAlone) {
            push(CR);
            push(LF);
        } else {
            push(LF);
        }
        lineLength = 0;
        if (next >= 0 && !lfAlone) {
            accept(next);
        } else if (next < 0) {
            eof = true;
        }
    }

    private void push(int b) {
        out[outCount++] = b;
    }

    private void fail(Problem p) throws IOException {
        problem = p;
        throw new ContentRefusedException("message refused: " + p.reason);
    }
}
