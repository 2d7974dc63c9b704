package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.util.DomainNames;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses the argument of MAIL and RCPT: {@code FROM:<path> params} or {@code TO:<path> params}, with the strict
 * RFC 5321 §4.1.2 mailbox syntax (RFC 6531 §3.3 extends it with UTF-8 when the client uses SMTPUTF8).
 * Stateless.
 */
public final class MailPath {

    /** The outcome: a parsed path or the reply explaining what is wrong. */
    public sealed interface Result permits Parsed, Invalid {
    }

    /**
     * A syntactically valid path.
     *
     * @param address {@code local@domain} with the domain as lower-case A-labels, or "" for the null path
     * @param params the ESMTP parameters after the path, possibly empty
     * @param nonAscii the local part or the domain as given contains UTF-8 (needs SMTPUTF8)
     */
    public record Parsed(String address, String params, boolean nonAscii) implements Result {
    }

    public record Invalid(Reply reply) implements Result {
    }

    /**
     * The address of {@code RCPT TO:<Postmaster>} without a domain, which RFC 5321 §4.5.1 says every SMTP server
     * must accept (case-insensitively); the listener delivers it to {@code postmaster@} its host name.
     */
    public static final String POSTMASTER = "postmaster";

    private static final String ATEXT = "!#$%&'*+-/=?^_`{|}~";
    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private MailPath() {
    }

    /**
     * @param argument the command line after the verb, such as {@code " FROM:<a@example.com> SIZE=10"}
     * @param keyword {@code FROM} or {@code TO}
     * @param syntaxStatus the enhanced status for a bad address: {@code 5.1.7} for senders, {@code 5.1.3} for
     *     recipients (RFC 3463)
     */
    public static Result parse(String argument, String keyword, String syntaxStatus) {
        String arg = argument.stripLeading();
        String prefix = keyword + ":";
        if (!arg.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return invalid("5.5.4", "Syntax: " + ("FROM".equals(keyword) ? "MAIL FROM:<address>" : "RCPT TO:<address>"));
        }
        // RFC 5321 allows no space after the colon; so many clients send one that refusing it helps nobody.
        String rest = arg.substring(prefix.length()).stripLeading();
        if (!rest.startsWith("<")) {
            return invalid(syntaxStatus, "the address must be enclosed in angle brackets, like <user@example.com>");
        }
        int close = closingBracket(rest);
        if (close < 0) {
            return invalid(syntaxStatus, "missing '>' after the address");
        }
        String path = rest.substring(1, close);
        String params = rest.substring(close + 1);
        if (!params.isEmpty() && !params.startsWith(" ")) {
            return invalid("5.5.4", "parameters must be separated from the address by a space");
        }
        params = params.strip();
        if (path.isEmpty()) {
            return "FROM".equals(keyword) ? new Parsed("", params, false)
                    : invalid(syntaxStatus, "the recipient address is empty");
        }
        if ("TO".equals(keyword) && path.equalsIgnoreCase(POSTMASTER)) {
            return new Parsed(POSTMASTER, params, false);
        }
        if (path.length() > 256) {
            return invalid(syntaxStatus, "the address is longer than 256 characters (RFC 5321 4.5.3.1.3)");
        }
        path = withoutSourceRoute(path);
        if (path == null) {
            return invalid(syntaxStatus, "malformed source route before the address");
        }
        return mailbox(path, params, syntaxStatus);
    }

    private static int closingBracket(String s) {
        boolean quoted = false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    // RFC 5321 §4.1.2 / Appendix C: a source route "@a,@b:" must be accepted and ignored.
    private static String withoutSourceRoute(String path) {
        if (!path.startsWith("@")) {
            return path;
        }
        int colon = path.indexOf(':');
        if (colon < 0) {
            return null;
        }
        for (String hop : path.substring(0, colon).split(",", -1)) {
            if (!hop.startsWith("@") || !domain(hop.substring(1))) {
                return null;
            }
        }
        return path.substring(colon + 1);
    }

    private static Result mailbox(String path, String params, String status) {
        int at = path.lastIndexOf('@');
        if (at < 0) {
            return invalid(status, "the address has no domain; write user@example.com");
        }
        String local = path.substring(0, at);
        String domain = path.substring(at + 1);
        if (local.isEmpty()) {
            return invalid(status, "the part before @ is empty");
        }
        if (local.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 64) {
            return invalid(status, "the part before @ is longer than 64 octets (RFC 5321 4.5.3.1.1)");
        }
        if (!(local.startsWith("\"") ? quotedString(local) : dotString(local))) {
            return invalid(status, "the part before @ is not valid: use letters, digits and !#$%&'*+-/=?^_`{|}~ "
                    + "between dots, or a quoted string");
        }
        boolean nonAscii = !ascii(path);
        String canonical;
        if (domain.startsWith("[")) {
            if (!addressLiteral(domain)) {
                return invalid(status, "the address literal after @ is not valid, like [192.0.2.1] or [IPv6:2001:db8::1]");
            }
            canonical = domain.toLowerCase(Locale.ROOT);
        } else {
            if (!domain(domain)) {
                return invalid(status, "the domain '" + domain + "' is not a valid host name");
            }
            try {
                canonical = DomainNames.canonical(domain);
            } catch (IllegalArgumentException e) {
                return invalid(status, "the domain '" + domain + "' is not a valid internationalized domain name");
            }
        }
        return new Parsed(local + "@" + canonical, params, nonAscii);
    }

    private static boolean dotString(String s) {
        if (s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '.' && !atext(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean quotedString(String s) {
        if (s.length() < 2 || !s.endsWith("\"")) {
            return false;
        }
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
                if (i >= s.length() - 1 || s.charAt(i) < 32 || s.charAt(i) > 126) {
                    return false;
                }
            } else if (c == '"' || (c < 32) || c == 127) {
                return false;
            }
        }
        return true;
    }

    private static boolean atext(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || ATEXT.indexOf(c) >= 0
                || (c > 127 && !Character.isISOControl(c) && !Character.isWhitespace(c));
    }

    /** RFC 5321 Domain; with UTF-8 labels allowed here, IDNA validity is checked by the A-label conversion. */
    private static boolean domain(String d) {
        if (d.isEmpty() || d.length() > 255) {
            return false;
        }
        for (String label : d.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                        || (c > 127 && Character.isLetterOrDigit(c))
                        || (c > 127 && Character.getType(c) == Character.NON_SPACING_MARK);
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean addressLiteral(String d) {
        if (!d.endsWith("]")) {
            return false;
        }
        String inner = d.substring(1, d.length() - 1);
        if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
            String v6 = inner.substring(5);
            if (!IPV6.matcher(v6).matches()) {
                return false;
            }
            try {
                return java.net.InetAddress.getByName(v6) instanceof java.net.Inet6Address;
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        return IPV4.matcher(inner).matches();
    }

    private static boolean ascii(String s) {
        return s.chars().allMatch(c -> c < 128);
    }

    private static Invalid invalid(String status, String text) {
        return new Invalid(Reply.of(501, status, text));
    }
}
