package io.stsdane.relay.core.pki;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Host name comparison with a leftmost-label wildcard, as used by certificate DNS-IDs (RFC 6125 §6.4.3) and
 * MTA-STS {@code mx} patterns (RFC 8461 §4.1).
 *
 * <p>Both rules are the same: comparison is case-insensitive and ignores one trailing dot; a pattern may start
 * with {@code *.}, and then the {@code *} stands for exactly one whole non-empty label. {@code *.example.com}
 * matches {@code mx.example.com} but neither {@code example.com} nor {@code a.b.example.com}. Partial-label
 * wildcards ({@code mx*.example.com}) and wildcards elsewhere never match. Stateless and thread-safe.
 */
public final class HostPatterns {

    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final int MAX_NAME_LENGTH = 253;

    private HostPatterns() {
    }

    /** Whether {@code host} (a plain name) is matched by {@code pattern} (a plain name or {@code *.domain}). */
    public static boolean matches(String pattern, String host) {
        String p = normalize(pattern);
        String h = normalize(host);
        if (h.isEmpty() || h.contains("*")) {
            return false;
        }
        if (!p.startsWith("*.")) {
            return !p.contains("*") && p.equals(h);
        }
        String suffix = p.substring(1);
        if (suffix.contains("*") || !h.endsWith(suffix)) {
            return false;
        }
        String first = h.substring(0, h.length() - suffix.length());
        return !first.isEmpty() && first.indexOf('.') < 0;
    }

    /**
     * Whether a certificate's DNS name {@code presented} (RFC 6125 §6.4; may be {@code *.domain}) matches
     * {@code reference}, the name the client expects: a host name, or a {@code *.domain} pattern that accepts
     * any single-label host under {@code domain} and a certificate for that same wildcard. A certificate
     * wildcard over a single label ({@code *.com}) matches nothing: it would cover a whole registry, and
     * browsers and Postfix refuse it too. Used by Web PKI (MTA-STS) and DANE (RFC 7672 §3.2.3) alike.
     */
    public static boolean matchesCertificateName(String presented, String reference) {
        String id = normalize(presented);
        String ref = normalize(reference);
        if (!id.startsWith("*.")) {
            return matches(ref, id);
        }
        if (id.indexOf('.', 2) < 0) {
            return false;
        }
        return ref.startsWith("*.") ? id.equals(ref) : matches(id, ref);
    }

    /**
     * Whether {@code name} is a syntactically valid host name (LDH labels, at most 253 characters), optionally
     * starting with a {@code *.} wildcard label when {@code allowWildcard}. A trailing dot is accepted.
     */
    public static boolean isValid(String name, boolean allowWildcard) {
        String n = normalize(name);
        if (allowWildcard && n.startsWith("*.")) {
            n = n.substring(2);
        }
        if (n.isEmpty() || n.length() > MAX_NAME_LENGTH) {
            return false;
        }
        for (String label : n.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /** Lower case, without one trailing dot. */
    public static String normalize(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
