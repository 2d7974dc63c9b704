package io.stsdane.relay.smtp.outbound.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the server advertised in its EHLO reply (RFC 5321 §4.1.1.1). Immutable. After STARTTLS a new instance
 * replaces the old one: nothing learned before TLS is trusted (RFC 3207 §4.2).
 *
 * @param keywords upper-case extension keywords
 * @param sizeLimit the SIZE limit, 0 when none was given
 * @param authMechanisms upper-case SASL mechanisms
 */
record Capabilities(Set<String> keywords, long sizeLimit, Set<String> authMechanisms) {

    /** After HELO: no extensions at all. */
    static final Capabilities NONE = new Capabilities(Set.of(), 0, Set.of());

    Capabilities {
        keywords = Set.copyOf(keywords);
        authMechanisms = Set.copyOf(authMechanisms);
    }

    /** Parses the lines of a 250 EHLO reply; the first line is the server's greeting name. */
    static Capabilities parse(List<String> lines) {
        Set<String> keys = new HashSet<>();
        Set<String> auth = new HashSet<>();
        long size = 0;
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] words = line.trim().toUpperCase(Locale.ROOT).split("[ =]+");
            if (words.length == 0 || words[0].isEmpty()) {
                continue;
            }
            keys.add(words[0]);
            if (words[0].equals("SIZE") && words.length > 1) {
                size = parseSize(words[1]);
            } else if (words[0].equals("AUTH")) {
                auth.addAll(List.of(words).subList(1, words.length));
            }
        }
        return new Capabilities(keys, size, auth);
    }

    boolean has(String keyword) {
        return keywords.contains(keyword);
    }

    private static long parseSize(String s) {
        try {
            return Math.max(0, Long.parseLong(s));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
