package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.queue.Ret;
import io.stsdane.relay.queue.internal.RecipientState.Report;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Writes a delivery status notification (RFC 3464) for the recipients of a message that owe one, as a
 * stream: the small MIME prefix is built in memory, the returned headers or message are streamed from the
 * spool. Immutable and thread-safe.
 *
 * <p>A message received with SMTPUTF8 gets the internationalized form (RFC 6533): its report is
 * {@code message/global-delivery-status} with non-ASCII addresses as {@code utf-8;} addresses, its content
 * comes back as {@code message/global} or {@code message/global-headers}, and the DSN itself is queued with
 * SMTPUTF8, because it carries the original's UTF-8 unencoded (RFC 6533: an SMTPUTF8 message is not
 * downgraded for its DSN). The multipart/report keeps {@code report-type=delivery-status}. A DSN about an
 * ASCII message keeps the RFC 3464 types.
 *
 * <p>The DSN goes from {@code <>} (RFC 3461 §6.2, RFC 5321 §4.5.5) so it is never bounced in turn. A
 * REQUIRETLS message is answered with headers only and the DSN itself requires TLS (RFC 8689 §5), so
 * its content cannot leak over a weaker path than the one the sender demanded.
 */
public final class DsnComposer {

    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final String CRLF = "\r\n";
    /** Header lines must stay below 998 octets (RFC 5322 §2.1.1). */
    private static final int MAX_DIAGNOSTIC = 900;

    private final String hostname;
    private final Duration maxQueueLifetime;

    public DsnComposer(String hostname, Duration maxQueueLifetime) {
        this.hostname = hostname;
        this.maxQueueLifetime = maxQueueLifetime;
    }

    /** A DSN ready to enqueue. */
    public record Dsn(Envelope envelope, InputStream content) {
    }

    /** The DSN for every recipient of {@code m} with a pending report; the caller closes the stream. */
    public Dsn compose(StoredMessage m, MessageContent original, QueueId dsnId, Instant now) throws IOException {
        Envelope env = m.envelope();
        List<Integer> reported = new ArrayList<>();
        for (int i = 0; i < env.recipients().size(); i++) {
            if (m.state().recipients().get(i).report() != Report.NONE) {
                reported.add(i);
            }
        }
        if (reported.isEmpty()) {
            throw new IllegalStateException("no recipient of " + m.id() + " owes a DSN");
        }
        boolean full = env.ret() == Ret.FULL && !env.requireTls();
        boolean global = env.smtpUtf8();
        String boundary = "=_" + dsnId + "/" + hostname;
        StringBuilder sb = new StringBuilder(2048);
        headers(sb, env, m, reported, dsnId, now, boundary);
        sb.append("--").append(boundary).append(CRLF)
                .append("Content-Type: text/plain; charset=utf-8").append(CRLF)
                .append("Content-Description: Notification").append(CRLF)
                .append("Content-Transfer-Encoding: 8bit").append(CRLF).append(CRLF);
        humanPart(sb, m, reported);
        sb.append(CRLF).append("--").append(boundary).append(CRLF)
                .append("Content-Type: message/").append(global ? "global-delivery-status" : "delivery-status")
                .append(CRLF);
        if (global) {
            sb.append("Content-Transfer-Encoding: 8bit").append(CRLF);
        }
        sb.append("Content-Description: Delivery report").append(CRLF).append(CRLF);
        statusPart(sb, m, reported, global);
        sb.append(CRLF).append("--").append(boundary).append(CRLF)
                .append("Content-Type: ").append(returnedType(full, global)).append(CRLF)
                .append("Content-Description: ").append(full ? "Undelivered Message" : "Message Headers")
                .append(CRLF);
        if (env.eightBitMime() || global) {
            sb.append("Content-Transfer-Encoding: 8bit").append(CRLF);
        }
        sb.append(CRLF);
        InputStream body = original.open();
        InputStream returned = full ? body : new HeaderOnlyInputStream(body);
        String end = CRLF + "--" + boundary + "--" + CRLF;
        InputStream stream = new SequenceInputStream(Collections.enumeration(List.of(
                bytes(sb.toString()), returned, bytes(end))));
        // BODY=8BITMIME only when the report carries 8-bit text (the returned message or a global DSN): a 7-bit
        // report must reach a return server that does not offer 8BITMIME (RFC 6152 §3).
        Envelope dsnEnvelope = new Envelope("", List.of(Recipient.of(env.sender())), null, null,
                env.requireTls(), global, env.eightBitMime() || global, now, "");
        return new Dsn(dsnEnvelope, stream);
    }

    private void headers(StringBuilder sb, Envelope env, StoredMessage m, List<Integer> reported,
            QueueId dsnId, Instant now, String boundary) {
        sb.append("From: Mail Delivery System <MAILER-DAEMON@").append(hostname).append('>').append(CRLF)
                .append("To: <").append(env.sender()).append('>').append(CRLF)
                .append("Subject: ").append(subject(m, reported)).append(CRLF)
                .append("Date: ").append(DATE.format(now)).append(CRLF)
                .append("Message-ID: <").append(dsnId).append('@').append(hostname).append('>').append(CRLF)
                // RFC 3834 §5: automatic responses must not trigger further ones.
                .append("Auto-Submitted: auto-replied").append(CRLF)
                .append("MIME-Version: 1.0").append(CRLF)
                .append("Content-Type: multipart/report; report-type=delivery-status;").append(CRLF)
                .append("\tboundary=\"").append(boundary).append('"').append(CRLF)
                .append(CRLF)
                .append("This is a MIME-encapsulated message.").append(CRLF).append(CRLF);
    }

    private static String subject(StoredMessage m, List<Integer> reported) {
        List<Report> kinds = reported.stream().map(i -> m.state().recipients().get(i).report()).toList();
        if (kinds.contains(Report.FAILED)) {
            return "Undelivered Mail Returned to Sender";
        }
        return kinds.contains(Report.DELAYED) ? "Delayed Mail (still being retried)"
                : "Successful Mail Delivery Report";
    }

    private void humanPart(StringBuilder sb, StoredMessage m, List<Integer> reported) {
        sb.append("This is the mail system at host ").append(hostname).append('.').append(CRLF).append(CRLF)
                .append("Your message ").append(m.id()).append(" of ")
                .append(DATE.format(m.envelope().receivedAt())).append(':').append(CRLF).append(CRLF);
        for (int i : reported) {
            RecipientState r = m.state().recipients().get(i);
            String what = switch (r.report()) {
                case FAILED -> "could not be delivered";
                case DELAYED -> "has not been delivered yet; the relay keeps trying until "
                        + DATE.format(m.envelope().receivedAt().plus(maxQueueLifetime));
                case RELAYED -> "was handed to the next mail server";
                case NONE -> throw new IllegalStateException();
            };
            sb.append("  <").append(m.envelope().recipients().get(i).address()).append(">: ").append(what)
                    .append(CRLF);
            if (r.lastDiagnostic() != null) {
                sb.append("    ").append(oneLine(r.lastDiagnostic())).append(CRLF);
            }
        }
    }

    /** RFC 6532 §3.7 and RFC 6533: the global types may carry UTF-8 header fields, the RFC 822 ones may not. */
    private static String returnedType(boolean full, boolean global) {
        if (global) {
            return full ? "message/global" : "message/global-headers";
        }
        return full ? "message/rfc822" : "text/rfc822-headers";
    }

    private void statusPart(StringBuilder sb, StoredMessage m, List<Integer> reported, boolean global) {
        Envelope env = m.envelope();
        sb.append("Reporting-MTA: dns; ").append(hostname).append(CRLF);
        if (env.envid() != null) {
            sb.append("Original-Envelope-Id: ").append(oneLine(XText.decode(env.envid()))).append(CRLF);
        }
        sb.append("Arrival-Date: ").append(DATE.format(env.receivedAt())).append(CRLF);
        for (int i : reported) {
            Recipient rcpt = env.recipients().get(i);
            RecipientState r = m.state().recipients().get(i);
            sb.append(CRLF);
            if (rcpt.orcpt() != null) {
                sb.append("Original-Recipient: ").append(originalRecipient(rcpt.orcpt(), global)).append(CRLF);
            }
            sb.append("Final-Recipient: ").append(typedAddress(rcpt.address(), global)).append(CRLF)
                    .append("Action: ").append(r.report().name().toLowerCase(Locale.ROOT)).append(CRLF)
                    .append("Status: ").append(status(r)).append(CRLF);
            if (r.remoteMta() != null && !r.remoteMta().isEmpty()) {
                sb.append("Remote-MTA: dns; ").append(oneLine(r.remoteMta())).append(CRLF);
            }
            if (r.lastDiagnostic() != null) {
                String diag = oneLine(r.lastDiagnostic());
                // "smtp" only for a real SMTP reply (RFC 3464 §2.3.6); our own explanations are marked as such.
                String type = diag.matches("^[245]\\d\\d[ -].*") ? "smtp" : "X-Relay";
                sb.append("Diagnostic-Code: ").append(type).append("; ").append(diag).append(CRLF);
            }
            if (r.lastAttempt() != null) {
                sb.append("Last-Attempt-Date: ").append(DATE.format(r.lastAttempt())).append(CRLF);
            }
            if (r.report() == Report.DELAYED) {
                sb.append("Will-Retry-Until: ")
                        .append(DATE.format(env.receivedAt().plus(maxQueueLifetime))).append(CRLF);
            }
        }
    }

    private static String status(RecipientState r) {
        if (r.lastStatus() != null && r.lastStatus().matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
            return r.lastStatus();
        }
        return switch (r.report()) {
            case RELAYED -> "2.0.0";
            case DELAYED -> "4.0.0";
            default -> "5.0.0";
        };
    }

    /**
     * ORCPT is {@code type;xtext} (RFC 3461 §4.2); the DSN field wants {@code type; address}. A {@code utf-8}
     * ORCPT carries its own encoding instead of xtext (RFC 6533 §3): it is re-encoded for the report's type.
     */
    private static String originalRecipient(String orcpt, boolean global) {
        int semi = orcpt.indexOf(';');
        if (semi < 0) {
            return "rfc822; " + oneLine(XText.decode(orcpt));
        }
        String type = orcpt.substring(0, semi).trim();
        String value = orcpt.substring(semi + 1).trim();
        if (type.equalsIgnoreCase("utf-8")) {
            return utf8Address(Utf8AddrText.decode(value), global);
        }
        return type + "; " + oneLine(XText.decode(value));
    }

    /** An ASCII address stays {@code rfc822} (RFC 3464 §2.3.2); any other is a {@code utf-8} one (RFC 6533 §3). */
    private static String typedAddress(String address, boolean global) {
        return Utf8AddrText.isAscii(address) ? "rfc822; " + address : utf8Address(address, global);
    }

    /** message/delivery-status must stay 7-bit, so there the address gets the utf-8-addr-xtext form. */
    private static String utf8Address(String address, boolean global) {
        return "utf-8; " + oneLine(global ? Utf8AddrText.unitext(address) : Utf8AddrText.xtext(address));
    }

    private static String oneLine(String s) {
        String flat = s.replaceAll("[\\r\\n\\t]+", " ").trim();
        return flat.length() > MAX_DIAGNOSTIC ? flat.substring(0, MAX_DIAGNOSTIC) : flat;
    }

    private static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
