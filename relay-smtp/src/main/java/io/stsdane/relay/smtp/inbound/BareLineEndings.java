package io.stsdane.relay.smtp.inbound;

/**
 * What the listener does with a bare CR or bare LF inside DATA (SMTP smuggling defence, RFC 5321 §2.3.8).
 * Under either setting only CRLF.CRLF ends a message.
 */
public enum BareLineEndings {
    /** Refuse the message with {@code 550 5.6.0}. */
    REJECT,
    /** Rewrite each bare CR or LF to CRLF and accept the message. */
    NORMALIZE
}
