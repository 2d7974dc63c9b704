package io.stsdane.relay.core.util;

/**
 * WSP of the RFC 5234 core rules (Appendix B.1), as the MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) grammars use
 * it: space and horizontal tab, and nothing else; other Unicode whitespace is not a separator there. Stateless.
 */
public final class Wsp {

    private Wsp() {
    }

    public static boolean is(char c) {
        return c == ' ' || c == '\t';
    }

    /** {@code s} without leading and trailing WSP. */
    public static String strip(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && is(s.charAt(from))) {
            from++;
        }
        while (to > from && is(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }
}
