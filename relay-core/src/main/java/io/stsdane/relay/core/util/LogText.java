package io.stsdane.relay.core.util;

/**
 * Makes text that came from outside (an SMTP client's EHLO name or addresses, a remote server's reply) safe to
 * write into a log line: control characters, which could forge log lines or drive the terminal of whoever reads
 * the log (a NUL, a CR/LF, an ANSI escape such as {@code ESC [31m}), become visible escapes. Stateless.
 */
public final class LogText {

    private LogText() {
    }

    /**
     * The text with every C0 and C1 control character, DEL, the Unicode line and paragraph separators and the
     * bidirectional overrides written as {@code \xNN} or {@code \x{NNNN}}, and the backslash doubled, so that
     * the escaped form cannot be confused with an escape the client sent itself. Printable characters,
     * non-ASCII letters included, are kept. {@code null} stays {@code null}.
     */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = replacement(c);
            if (replacement != null && sb == null) {
                sb = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (sb != null) {
                if (replacement != null) {
                    sb.append(replacement);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? text : sb.toString();
    }

    /**
     * Whether {@code c} must not reach a log as it is: C0 and C1 controls, DEL, the Unicode line and paragraph
     * separators, and the bidirectional embeddings, overrides and isolates (which reorder what a reader sees).
     */
    public static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 || (c >= 0x202a && c <= 0x202e)
                || (c >= 0x2066 && c <= 0x2069);
    }

    private static String replacement(char c) {
        if (c == '\\') {
            return "\\\\";
        }
        if (!unsafe(c)) {
            return null;
        }
        return c <= 0xff ? String.format("\\x%02x", (int) c) : String.format("\\x{%04x}", (int) c);
    }
}
