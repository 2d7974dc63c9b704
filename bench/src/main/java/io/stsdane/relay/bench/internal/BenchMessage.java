package io.stsdane.relay.bench.internal;

import java.nio.charset.StandardCharsets;

/**
 * The messages the load generator submits: a small per-message header block carrying the {@code X-Bench-Id},
 * followed by a body shared by all messages, so a run of any size allocates the body once.
 *
 * <p>The body is lines of 76 letters and CRLF; no line starts with a dot, so nothing needs dot-stuffing and the
 * bytes on the wire are exactly {@link #size()} long. Immutable and thread-safe.
 */
public final class BenchMessage {

    /** The header the sink reads to recognise a message; first in the header block so it is cheap to find. */
    public static final String ID_HEADER = "X-Bench-Id";

    private static final int LINE = 76;

    private final String sender;
    private final String recipient;
    private final byte[] body;
    private final int size;

    /** A message set whose messages are {@code size} octets long (header included; at least the header). */
    public BenchMessage(String sender, String recipient, int size) {
        this.sender = sender;
        this.recipient = recipient;
        this.size = size;
        int headerEstimate = header("r-0000000000").length;
        this.body = body(Math.max(2, size - headerEstimate));
    }

    /** The header block of message {@code id}, ending with the empty line that separates the body. */
    public byte[] header(String id) {
        String h = ID_HEADER + ": " + id + "\r\n"
                + "From: <" + sender + ">\r\n"
                + "To: <" + recipient + ">\r\n"
                + "Subject: bench " + id + "\r\n"
                + "Message-ID: <" + id + "@bench.invalid>\r\n"
                + "\r\n";
        return h.getBytes(StandardCharsets.US_ASCII);
    }

    public byte[] body() {
        return body;
    }

    /** The nominal size; exact for ids as long as the estimate's ({@code r-0000000000}). */
    public int size() {
        return size;
    }

    private static byte[] body(int length) {
        StringBuilder sb = new StringBuilder(length);
        while (sb.length() < length) {
            int remain = length - sb.length() - 2;
            // never leave a remainder too short for a line of its own (a lone CR or LF)
            int n = remain <= LINE ? remain : remain - LINE < 3 ? LINE - 3 : LINE;
            for (int i = 0; i < n; i++) {
                sb.append((char) ('a' + (sb.length() % 26)));
            }
            sb.append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
