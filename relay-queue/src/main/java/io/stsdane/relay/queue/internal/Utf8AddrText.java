package io.stsdane.relay.queue.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value forms of the RFC 6533 §3 {@code utf-8} address type: {@code utf-8-addr-unitext} (UTF-8 kept,
 * for message/global-delivery-status) and {@code utf-8-addr-xtext} (7-bit, for message/delivery-status).
 * Both escape what QCHAR excludes (controls, space, {@code \}, {@code +}, {@code =}) as {@code \x{HEX}};
 * xtext escapes every non-ASCII code point too. Stateless.
 */
final class Utf8AddrText {

    private static final Pattern EMBEDDED = Pattern.compile("\\\\x\\{([0-9A-Fa-f]{1,6})}");

    private Utf8AddrText() {
    }

    static String unitext(String address) {
        return encode(address, false);
    }

    static String xtext(String address) {
        return encode(address, true);
    }

    /** The address behind either form (or behind a plain utf-8-address, which has nothing to decode). */
    static String decode(String encoded) {
        Matcher m = EMBEDDED.matcher(encoded);
        StringBuilder out = new StringBuilder(encoded.length());
        while (m.find()) {
            int cp = Integer.parseInt(m.group(1), 16);
            String replacement = Character.isValidCodePoint(cp) ? Character.toString(cp) : m.group();
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        return m.appendTail(out).toString();
    }

    static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }

    private static String encode(String address, boolean sevenBit) {
        StringBuilder out = new StringBuilder(address.length() + 8);
        address.codePoints().forEach(cp -> {
            boolean qchar = cp >= 0x21 && cp <= 0x7e && cp != '\\' && cp != '+' && cp != '=';
            if (qchar || (cp > 0x7f && !sevenBit)) {
                out.appendCodePoint(cp);
            } else {
                // HEXPOINT: upper-case hex, two digits for ASCII, no leading zero beyond that.
                out.append("\\x{").append(String.format("%02X", cp)).append('}');
            }
        });
        return out.toString();
    }
}
