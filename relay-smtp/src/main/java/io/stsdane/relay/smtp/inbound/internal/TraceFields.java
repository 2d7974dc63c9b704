package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.queue.QueueId;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/** Builds the header fields the listener adds: Received (RFC 5321 §4.4), Message-ID and Date. Thread-safe. */
final class TraceFields {

    private static final DateTimeFormatter RFC5322 =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);

    private final String hostname;
    private final Clock clock;
    /** The date of the last second a field was built in: every message of that second shares the text. */
    private volatile FormattedSecond lastDate = new FormattedSecond(Long.MIN_VALUE, "");

    TraceFields(String hostname, Clock clock) {
        this.hostname = hostname;
        this.clock = clock;
    }

    /** The Received field for one message, folded, CRLF-terminated. */
    String received(SessionState state, Transaction tx, QueueId id) {
        StringBuilder sb = new StringBuilder("Received: from ").append(token(state.helo))
                .append(" ([").append(state.client.getHostAddress()).append("])");
        if (state.tls()) {
            sb.append("\r\n\t(using ").append(token(state.tlsProtocol)).append(" with cipher ")
                    .append(token(state.tlsCipher)).append(')');
        }
        if (state.authUser != null) {
            sb.append("\r\n\t(Authenticated sender: ").append(token(state.authUser)).append(')');
        }
        sb.append("\r\n\tby ").append(hostname).append(" with ").append(protocol(state, tx))
                .append(" id ").append(id.value());
        if (tx.recipients().size() == 1) {
            sb.append("\r\n\tfor <").append(tx.recipients().get(0).address()).append('>');
        }
        return sb.append("; ").append(date()).append("\r\n").toString();
    }

    /** The Message-ID and Date fields the message lacks, as far as they are wanted. */
    String missing(HeaderAugmenter.Presence present, boolean addMessageId, boolean addDate, QueueId id) {
        StringBuilder sb = new StringBuilder();
        if (addMessageId && !present.messageId()) {
            // The queue id makes the Message-ID unique on this host (RFC 5322 §3.6.4); the random part only keeps
            // ids apart across relays that share a hostname or a reset spool, and a Message-ID is no secret, so
            // a non-cryptographic source is enough.
            long random = ThreadLocalRandom.current().nextLong();
            sb.append("Message-ID: <").append(id.value()).append('.').append(HexFormat.of().toHexDigits(random))
                    .append('@').append(hostname).append(">\r\n");
        }
        if (addDate && !present.date()) {
            sb.append("Date: ").append(date()).append("\r\n");
        }
        return sb.toString();
    }

    private String date() {
        Instant now = clock.instant();
        FormattedSecond last = lastDate;
        if (last.epochSecond() != now.getEpochSecond()) {
            last = new FormattedSecond(now.getEpochSecond(), RFC5322.format(ZonedDateTime.ofInstant(now,
                    clock.getZone())));
            lastDate = last;
        }
        return last.text();
    }

    /** A date as RFC 5322 §3.3 writes it, for the second it names. */
    private record FormattedSecond(long epochSecond, String text) {
    }

    /** RFC 3848 and RFC 6531 §3.7.3 "with" protocol names. */
    private static String protocol(SessionState state, Transaction tx) {
        if (!state.esmtp) {
            return "SMTP";
        }
        return (tx.smtpUtf8() ? "UTF8SMTP" : "ESMTP") + (state.tls() ? "S" : "") + (state.authUser != null ? "A" : "");
    }

    /** Client-supplied text made safe inside a header comment: printable, no parentheses, bounded. */
    private static String token(String s) {
        if (s == null) {
            return "unknown";
        }
        StringBuilder sb = new StringBuilder();
        s.codePoints().limit(255).forEach(c -> sb.appendCodePoint(
                c < 33 || c == 127 || c == '(' || c == ')' || c == '\\' || c == ';' ? '_' : c));
        return sb.toString();
    }
}
