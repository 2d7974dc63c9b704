package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.queue.QueueId;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;

/** Builds the header fields the listener adds: Received (RFC 5321 §4.4), Message-ID and Date. Thread-safe. */
final class TraceFields {

    private static final DateTimeFormatter RFC5322 =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String hostname;
    private final Clock clock;

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
            byte[] random = new byte[8];
            RANDOM.nextBytes(random);
            sb.append("Message-ID: <").append(id.value()).append('.').append(HexFormat.of().formatHex(random))
                    .append('@').append(hostname).append(">\r\n");
        }
        if (addDate && !present.date()) {
            sb.append("Date: ").append(date()).append("\r\n");
        }
        return sb.toString();
    }

    private String date() {
        return RFC5322.format(ZonedDateTime.now(clock));
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
