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

    /** Replies that mean "the client sent something wrong" and count towards the bad-command limit. */
    public boolean isClientError() {
        return code == 500 || code == 501 || code == 502 || code == 503 || code == 504 || code == 555;
    }

    @Override
    public String toString() {
        return code + " " + status + " " + text;
    }
}
