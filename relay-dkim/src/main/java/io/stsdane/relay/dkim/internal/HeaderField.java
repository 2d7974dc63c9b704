package io.stsdane.relay.dkim.internal;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One header field exactly as received, folding and final CRLF included (RFC 5322 §2.2).
 *
 * @param raw the octets of the field
 *
 * <p>Immutable (the array is never handed out) and thread-safe.
 */
record HeaderField(byte[] raw) {

    /** The field name, lower case (field names are ASCII; RFC 5322 §3.6.8). */
    String name() {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        return text.substring(0, text.indexOf(':')).strip().toLowerCase(Locale.ROOT);
    }

    /** The unfolded value after the colon, octets as ISO-8859-1 characters. */
    String value() {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        return text.substring(text.indexOf(':') + 1).replace("\r\n", "");
    }

    /**
     * The field canonicalized for signing (RFC 6376 §3.4.1 simple: unchanged; §3.4.2 relaxed: name in lower
     * case, unfolded, runs of WSP as one SP, WSP around the colon and at the end removed), CRLF-terminated.
     */
    byte[] canonical(boolean relaxed) {
        return relaxed ? relaxed(new String(raw, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1)
                : raw.clone();
    }

    /** §3.4.2 on any field text (the signature field itself is canonicalized before it is a {@code HeaderField}). */
    static String relaxed(String field) {
        int colon = field.indexOf(':');
        String name = field.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String value = field.substring(colon + 1).replace("\r\n", "").replaceAll("[ \t]+", " ").strip();
        return name + ":" + value + "\r\n";
    }
}
