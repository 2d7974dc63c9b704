package io.stsdane.relay.smtp.inbound;

/** The SPF self-check at MAIL FROM: is the relay's egress address authorized for the sender's domain? */
public enum SpfMode {
    /** No check. */
    OFF,
    /** Check, log and count a failure, accept the mail. */
    WARN,
    /** Refuse an SPF {@code fail} with {@code 550 5.7.23}; other results are handled as in {@link #WARN}. */
    REJECT
}
