package io.stsdane.relay.core.queue;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The SMTP envelope of one accepted message.
 *
 * @param sender the reverse-path; the empty string is the null sender {@code <>} (bounces, never bounced)
 * @param recipients at least one
 * @param ret the DSN RET parameter, or null
 * @param envid the DSN ENVID parameter, or null
 * @param requireTls the message was submitted with REQUIRETLS (RFC 8689)
 * @param smtpUtf8 the message was submitted with SMTPUTF8 (RFC 6531)
 * @param eightBitMime the message was submitted with BODY=8BITMIME
 * @param receivedAt when the relay accepted it
 * @param client who handed it to us, for logs and the DSN ({@code [ip] helo-name})
 */
public record Envelope(
        String sender,
        List<Recipient> recipients,
        Ret ret,
        String envid,
        boolean requireTls,
        boolean smtpUtf8,
        boolean eightBitMime,
        Instant receivedAt,
        String client) {

    public Envelope {
        Objects.requireNonNull(sender, "sender");
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope needs at least one recipient");
        }
        Objects.requireNonNull(receivedAt, "receivedAt");
        client = client == null ? "" : client;
    }

    public boolean isBounce() {
        return sender.isEmpty();
    }
}
