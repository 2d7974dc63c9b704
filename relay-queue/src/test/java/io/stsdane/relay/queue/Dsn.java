package io.stsdane.relay.queue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A parsed DSN, read independently of the code that wrote it (MIME structure by RFC 2046 rules). */
public record Dsn(Map<String, String> headers, List<Part> parts, Map<String, String> perMessage,
        List<Map<String, String>> perRecipient) {

    public record Part(Map<String, String> headers, String body) {
    }

    public static Dsn parse(String message) {
        String[] hb = message.split("\r\n\r\n", 2);
        Map<String, String> headers = fields(hb[0]);
        Matcher m = Pattern.compile("boundary=\"([^\"]+)\"").matcher(headers.get("content-type"));
        if (!m.find()) {
            throw new IllegalArgumentException("no boundary");
        }
        String delimiter = "\r\n--" + m.group(1);
        String body = "\r\n" + hb[1];
        int end = body.indexOf(delimiter + "--");
        String[] chunks = body.substring(0, end).split(Pattern.quote(delimiter));
        List<Part> parts = new ArrayList<>();
        for (int i = 1; i < chunks.length; i++) {
            String c = chunks[i].substring(2); // CRLF after the delimiter
            String[] phb = c.split("\r\n\r\n", 2);
            parts.add(new Part(fields(phb[0]), phb.length > 1 ? phb[1] : ""));
        }
        Part status = parts.stream()
                .filter(p -> p.headers().get("content-type").matches("message/(global-)?delivery-status\\b.*"))
                .findFirst().orElseThrow();
        String[] blocks = status.body().trim().split("\r\n\r\n");
        List<Map<String, String>> rcpts = new ArrayList<>();
        for (int i = 1; i < blocks.length; i++) {
            rcpts.add(fields(blocks[i]));
        }
        return new Dsn(headers, parts, fields(blocks[0]), rcpts);
    }

    /** Header fields by lower-case name, unfolded. */
    static Map<String, String> fields(String block) {
        Map<String, String> out = new LinkedHashMap<>();
        String unfolded = block.replaceAll("\r\n[ \t]+", " ");
        for (String line : unfolded.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    /** The block whose Final-Recipient is {@code address}, as an {@code rfc822} or RFC 6533 {@code utf-8} one. */
    public Map<String, String> recipient(String address) {
        return perRecipient.stream()
                .filter(r -> r.get("final-recipient").equalsIgnoreCase("rfc822; " + address)
                        || r.get("final-recipient").equalsIgnoreCase("utf-8; " + address))
                .findFirst().orElseThrow(() -> new AssertionError("no DSN block for " + address));
    }
}
