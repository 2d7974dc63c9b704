package io.stsdane.relay.dkim.internal;

import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The body hash {@code bh=} (RFC 6376 §3.7), computed as the body streams past: the body canonicalized (§3.4.3
 * simple, §3.4.4 relaxed) into SHA-256 without being held. Trailing empty lines are only counted until a line
 * with content shows they were not trailing. Not thread-safe: one message on one thread.
 */
final class BodyHasher extends OutputStream {

    private static final byte[] CRLF = {'\r', '\n'};

    private final boolean relaxed;
    private final MessageDigest sha256;
    private long pendingLineEnds;
    private boolean pendingSpace;
    private boolean pendingCr;
    private boolean lineHasContent;
    private boolean anyContent;

    BodyHasher(boolean relaxed) {
        this.relaxed = relaxed;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public void write(int b) {
        if (pendingCr) {
            pendingCr = false;
            if (b == '\n') {
                endLine();
                return;
            }
            octet('\r');
        }
        if (b == '\r') {
            pendingCr = true;
        } else {
            octet(b & 0xff);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    private void octet(int b) {
        if (relaxed && (b == ' ' || b == '\t')) {
            // §3.4.4: runs of WSP become one SP, and WSP at the end of a line goes: decided by what follows.
            pendingSpace = true;
            return;
        }
        if (!lineHasContent) {
            flushLineEnds();
            lineHasContent = true;
        }
        if (pendingSpace) {
            sha256.update((byte) ' ');
            pendingSpace = false;
        }
        sha256.update((byte) b);
    }

    private void endLine() {
        pendingSpace = false;
        lineHasContent = false;
        pendingLineEnds++;
    }

    private void flushLineEnds() {
        for (; pendingLineEnds > 0; pendingLineEnds--) {
            sha256.update(CRLF);
        }
        anyContent = true;
    }

    /**
     * The hash of the body written so far, ended: trailing empty lines dropped, a last line without CRLF given
     * one; an empty body is CRLF under simple (§3.4.3) and nothing under relaxed (§3.4.4).
     */
    byte[] digest() {
        if (pendingCr) {
            pendingCr = false;
            octet('\r');
        }
        if (anyContent || !relaxed) {
            sha256.update(CRLF);
        }
        return sha256.digest();
    }
}
