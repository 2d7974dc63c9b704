package io.stsdane.relay.dkim;

import java.util.Locale;

/**
 * The {@code c=} of a signature (RFC 6376 §3.4): header and body each {@code simple} or {@code relaxed}.
 *
 * @param relaxedHeader header fields relaxed (§3.4.2) rather than simple (§3.4.1)
 * @param relaxedBody body relaxed (§3.4.4) rather than simple (§3.4.3)
 */
public record Canonicalization(boolean relaxedHeader, boolean relaxedBody) {

    /** What the relay signs with unless configured otherwise: survives the whitespace changes relays make. */
    public static final Canonicalization RELAXED = new Canonicalization(true, true);

    /** Parses {@code header/body}; a single word is the header's, and the body's is then simple (§3.5 c=). */
    public static Canonicalization parse(String s) {
        String[] parts = s.strip().toLowerCase(Locale.ROOT).split("/", -1);
        if (parts.length > 2) {
            throw new IllegalArgumentException("'" + s + "' is not header/body, each simple or relaxed");
        }
        return new Canonicalization(relaxed(parts[0], s), parts.length == 2 && relaxed(parts[1], s));
    }

    private static boolean relaxed(String word, String whole) {
        return switch (word) {
            case "relaxed" -> true;
            case "simple" -> false;
            default -> throw new IllegalArgumentException("'" + whole + "' is not header/body, each simple or"
                    + " relaxed");
        };
    }

    /** The {@code c=} value. */
    public String tag() {
        return (relaxedHeader ? "relaxed" : "simple") + "/" + (relaxedBody ? "relaxed" : "simple");
    }
}
