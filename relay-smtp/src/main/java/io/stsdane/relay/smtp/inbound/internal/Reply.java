package io.stsdane.relay.smtp.inbound.internal;

/**
 * One single-line SMTP reply with its enhanced status code (RFC 2034, RFC 3463).
 *
 * @param code the three-digit reply code
 * @param status the enhanced status code, such as {@code 5.1.3}
 * @param text human-readable text for application developers
 */
public record Reply(int code, String status, String text) {

    public static Reply of(int code, String status, String text) {
        return new Reply(code, status, text);
    }

    /**
     * Replies that mean "the client sent something wrong, or asked for what it may not have" and count towards
     * the bad-command limit: syntax and sequence errors, and refusals a client that probes (a relay attempt, a
     * wrong password, AUTH in clear) would otherwise repeat for as long as the session lasts.
     */
    public boolean isClientError() {
        return code == 500 || code == 501 || code == 502 || code == 503 || code == 504 || code == 555
                || code == 554 || code == 535 || code == 538;
    }

    @Override
    public String toString() {
        return code + " " + status + " " + text;
    }
}
