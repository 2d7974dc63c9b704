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
 * @param tlsReport a TLS-RPT report the relay generated itself (RFC 8460 §5.3.1): delivered opportunistically,
 *     MTA-STS and DANE failures not honoured, so that a report reaches exactly the domain whose TLS is broken.
 *     Never set for mail a client submitted, whatever its headers say (client mail never downgrades), and never
 *     together with {@code requireTls}. Absent in envelopes stored before it existed, which read as false.
 * @param dkimSignatures the DKIM signatures the relay put at the top of the content at intake (the content holds
 *     them; this only names them for the delivery log); empty when it signed nothing, and in envelopes stored
 *     before it existed
 *
 * <p>Immutable and thread-safe.
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
        String client,
        boolean tlsReport,
        List<DkimSignature> dkimSignatures) {

    public Envelope {
        Objects.requireNonNull(sender, "sender");
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("an envelope needs at least one recipient");
        }
        Objects.requireNonNull(receivedAt, "receivedAt");
        client = client == null ? "" : client;
        dkimSignatures = dkimSignatures == null ? List.of() : List.copyOf(dkimSignatures);
        if (tlsReport && requireTls) {
            // RFC 8689 asks for verified TLS, RFC 8460 §5.3.1 for the opposite: a report never carries REQUIRETLS.
            throw new IllegalArgumentException("a TLS-RPT report envelope cannot require TLS");
        }
    }

    /** An envelope without DKIM signatures of the relay's. */
    public Envelope(String sender, List<Recipient> recipients, Ret ret, String envid, boolean requireTls,
            boolean smtpUtf8, boolean eightBitMime, Instant receivedAt, String client, boolean tlsReport) {
        this(sender, recipients, ret, envid, requireTls, smtpUtf8, eightBitMime, receivedAt, client, tlsReport,
                List.of());
    }

    /** An envelope of ordinary mail (not a TLS-RPT report of the relay's own). */
    public Envelope(String sender, List<Recipient> recipients, Ret ret, String envid, boolean requireTls,
            boolean smtpUtf8, boolean eightBitMime, Instant receivedAt, String client) {
        this(sender, recipients, ret, envid, requireTls, smtpUtf8, eightBitMime, receivedAt, client, false);
    }

    /** This envelope naming the signatures the relay added to its content. */
    public Envelope withDkimSignatures(List<DkimSignature> signatures) {
        return new Envelope(sender, recipients, ret, envid, requireTls, smtpUtf8, eightBitMime, receivedAt, client,
                tlsReport, signatures);
    }

    public boolean isBounce() {
        return sender.isEmpty();
    }
}
