package io.stsdane.relay.smtp.inbound.internal;

/** The xtext encoding of DSN parameters (RFC 3461 §4), checked, not decoded: the queue keeps values as given. */
final class Xtext {

    private Xtext() {
    }

    /** Whether {@code s} is well-formed xtext; with {@code utf8}, non-ASCII characters are allowed (RFC 6533). */
    static boolean valid(String s, boolean utf8) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                if (i + 2 >= s.length() || !hex(s.charAt(i + 1)) || !hex(s.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (c == '=' || c < 33 || c == 127 || (c > 127 && !utf8)) {
                return false;
            }
        }
        return true;
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }
}
