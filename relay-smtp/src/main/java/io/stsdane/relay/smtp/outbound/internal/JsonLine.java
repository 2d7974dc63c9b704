package io.stsdane.relay.smtp.outbound.internal;

import io.stsdane.relay.core.delivery.DeliveryAttempt;
import io.stsdane.relay.core.queue.DkimSignature;
import io.stsdane.relay.core.util.LogText;
import java.time.Instant;
import java.util.List;

/**
 * The delivery log line of one attempt: a flat JSON object, its strings escaped as RFC 8259 §7 requires, the
 * fields in the order {@link AttemptLog#attempt} documents. Every delivery thread writes its lines into a
 * builder of its own, kept between lines, so a line costs one copy into its {@code String}; confined to its
 * thread.
 */
final class JsonLine {

    private static final ThreadLocal<JsonLine> PER_THREAD = ThreadLocal.withInitial(JsonLine::new);
    private static final int INITIAL = 1024;
    /** A builder grown past this by an unusually long reply is dropped after its line rather than kept. */
    private static final int KEPT = 16 * 1024;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private StringBuilder sb = new StringBuilder(INITIAL);
    /** The epoch second whose {@code Instant.toString()} text up to the seconds is {@link #secondText}. */
    private long second = Long.MIN_VALUE;
    private String secondText;

    private JsonLine() {
    }

    /** The line for {@code a}; {@code dkim} are the signatures the relay added at intake. */
    static String of(DeliveryAttempt a, List<DkimSignature> dkim) {
        return PER_THREAD.get().write(a, dkim);
    }

    private String write(DeliveryAttempt a, List<DkimSignature> dkim) {
        sb.setLength(0);
        sb.append("{\"time\":\"");
        time(a.time());
        sb.append("\",\"queue\":");
        string(a.id().value());
        sb.append(",\"domain\":");
        string(a.domain());
        sb.append(",\"mx\":");
        string(a.mxHost());
        sb.append(",\"ip\":");
        string(a.address());
        sb.append(",\"policy_source\":");
        string(a.policySource() == null ? null : a.policySource().label());
        sb.append(",\"policy_level\":");
        string(a.policyLevel() == null ? null : a.policyLevel().configName());
        sb.append(",\"plaintext_retry\":").append(a.plaintextRetry());
        sb.append(",\"tls_protocol\":");
        string(a.tlsProtocol());
        sb.append(",\"tls_cipher\":");
        string(a.tlsCipher());
        sb.append(",\"verified\":").append(a.verified());
        sb.append(",\"verification\":");
        string(a.verification());
        sb.append(",\"outcome\":");
        string(a.outcome());
        sb.append(",\"reply\":");
        string(a.reply());
        sb.append(",\"duration_ms\":").append(a.durationMillis());
        sb.append(",\"dkim\":");
        dkim(dkim);
        String line = sb.append('}').toString();
        if (sb.capacity() > KEPT) {
            sb = new StringBuilder(INITIAL);
        }
        return line;
    }

    /**
     * Exactly {@code t.toString()} (ISO-8601 as {@code DateTimeFormatter.ISO_INSTANT} writes it): the text up to
     * the seconds is the JDK's own, kept for the current second; the fraction is written here the way that
     * formatter does, in groups of three digits, none when it is zero.
     */
    private void time(Instant t) {
        if (t.getEpochSecond() != second) {
            String whole = Instant.ofEpochSecond(t.getEpochSecond()).toString();
            secondText = whole.substring(0, whole.length() - 1);
            second = t.getEpochSecond();
        }
        sb.append(secondText);
        int nano = t.getNano();
        if (nano != 0) {
            int digits = nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
            int value = digits == 3 ? nano / 1_000_000 : digits == 6 ? nano / 1_000 : nano;
            sb.append('.');
            int at = sb.length();
            for (int i = 0; i < digits; i++) {
                sb.append('0');
            }
            for (int i = at + digits - 1; i >= at; i--) {
                sb.setCharAt(i, (char) ('0' + value % 10));
                value /= 10;
            }
        }
        sb.append('Z');
    }

    /** The signatures joined by {@code ", "} as one string ({@code ", "} itself needs no escape), or null. */
    private void dkim(List<DkimSignature> dkim) {
        if (dkim.isEmpty()) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0; i < dkim.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            escaped(dkim.get(i).toString());
        }
        sb.append('"');
    }

    private void string(String s) {
        if (s == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        escaped(s);
        sb.append('"');
    }

    /** {@code s} with its escapes; the runs between characters that need one are copied whole. */
    private void escaped(String s) {
        int from = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '"' && c != '\\' && !LogText.unsafe(c)) {
                continue;
            }
            sb.append(s, from, i);
            from = i + 1;
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                // The same characters LogText escapes in plain log lines, as JSON escapes.
                default -> sb.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf])
                        .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
            }
        }
        sb.append(s, from, s.length());
    }
}
