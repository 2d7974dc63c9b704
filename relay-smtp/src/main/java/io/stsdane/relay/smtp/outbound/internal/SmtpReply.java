package io.stsdane.relay.smtp.outbound.internal;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SMTP reply, possibly multi-line (RFC 5321 §4.2). Immutable.
 *
 * @param code the three-digit reply code
 * @param lines the text of each line, without code and separator
 * @param trailingData the server sent more bytes in the same read after this reply; only tracked for the reply
 *     to STARTTLS, where such bytes are a STARTTLS injection (RFC 3207 §6, CVE-2011-0411)
 */
record SmtpReply(int code, List<String> lines, boolean trailingData) {

    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");
    private static final int MAX_DIAGNOSTIC = 400;

    SmtpReply {
        lines = List.copyOf(lines);
    }

    /** A 2xx completion reply. */
    boolean isPositive() {
        return code >= 200 && code < 300;
    }

    boolean isTransient() {
        return code >= 400 && code < 500;
    }

    boolean isPermanent() {
        return code >= 500;
    }

    /** The RFC 3463 status from the first line when it agrees with the reply class, else the class default. */
    String enhancedStatus() {
        if (!lines.isEmpty()) {
            Matcher m = ENHANCED.matcher(lines.get(0));
            if (m.find() && m.group(1).charAt(0) - '0' == code / 100) {
                return m.group();
            }
        }
        return (code / 100) + ".0.0";
    }

    /** The reply as one line for logs and DSNs, bounded. */
    String diagnostic() {
        String s = code + " " + String.join(" ", lines);
        return s.length() > MAX_DIAGNOSTIC ? s.substring(0, MAX_DIAGNOSTIC) + "..." : s;
    }

    @Override
    public String toString() {
        return diagnostic();
    }
}
