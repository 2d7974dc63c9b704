package io.stsdane.relay.sts.internal;

/**
 * WSP of the RFC 8461 ABNF (RFC 5234 Appendix B.1): space and horizontal tab, and nothing else; other Unicode
 * whitespace is not a separator there. Stateless.
 */
final class Wsp {

    private Wsp() {
    }

    static boolean is(char c) {
        return c == ' ' || c == '\t';
    }

    /** {@code s} without leading and trailing WSP. */
    static String strip(String s) {
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
