package io.stsdane.relay.core.delivery;

/**
 * How far the cause of a {@link RecipientOutcome} reaches: only this recipient, this message, the MX host that
 * answered, or the whole destination. The queue acts on it: only a {@link #DESTINATION} failure holds other
 * mail for the same domain back, as RFC 5321 §4.5.4.1 asks of a client that keeps "a list of hosts it cannot
 * reach" rather than retrying each queued message on its own. The delivery agent decides it, because only it
 * saw the SMTP dialogue.
 */
public enum OutcomeScope {

    /** This recipient alone: a delivery, or a reply to its {@code RCPT TO} (450 mailbox busy, 550 no such user). */
    RECIPIENT,

    /**
     * This message, on a host that took part in its transaction: a reply to {@code MAIL FROM}, {@code DATA} or
     * the end of data; a size, {@code SMTPUTF8}, {@code 8BITMIME} or REQUIRETLS need the host cannot meet; a
     * session that broke during the transaction; the relay's own failure to send it.
     */
    MESSAGE,

    /**
     * The host that answered: it closed the session with {@code 421} during the transaction (RFC 5321 §3.8), so
     * the message was not tried elsewhere; other hosts of the destination may well take mail.
     */
    HOST,

    /**
     * The destination as a whole: routing failed (MX lookup, DNSSEC, null MX), or every MX host (the smart host)
     * failed before a transaction could start: connection refused or timed out, {@code 421} greeting, STARTTLS
     * or the TLS policy failing, no usable address. Other mail for it would fail the same way now.
     */
    DESTINATION
}
