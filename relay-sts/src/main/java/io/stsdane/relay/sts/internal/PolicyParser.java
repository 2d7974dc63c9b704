package io.stsdane.relay.sts.internal;

import io.stsdane.relay.core.pki.HostPatterns;
import io.stsdane.relay.core.util.Wsp;
import io.stsdane.relay.sts.StsMode;
import io.stsdane.relay.sts.StsPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Strict parser of the policy file (RFC 8461 §3.2). Stateless and thread-safe.
 *
 * <p>Lines end in LF or CRLF; empty lines are skipped; values lose the WSP around them. {@code version},
 * {@code mode} and {@code max_age} are required; {@code mx} at least once unless the mode is {@code none}. When
 * {@code version}, {@code mode} or {@code max_age} appears more than once, the first counts and the others are
 * ignored, valid or not (§3.2: "all entries except for the first SHALL be ignored"); the result lists them so the
 * caller can log them. Unknown fields are ignored. Anything else makes the whole policy invalid, with the reason
 * naming the line.
 *
 * <p>Leniency: the §3.2 ABNF writes field names and the fixed values ({@code STSv1}, the modes) as {@code %s"..."},
 * which is case-sensitive (RFC 7405); this parser compares them case-insensitively, so {@code Mode: Enforce}
 * counts as {@code mode: enforce}. The RFC voids a malformed TXT record (§3.1) but says nothing of a policy file
 * that a domain evidently meant; reading it as meant keeps the domain's protection rather than dropping it.
 */
public final class PolicyParser {

    /** The result of parsing: a policy, or why the file is not one. */
    public sealed interface Result {
        /**
         * @param policy the policy
         * @param ignored the repeated fields that were ignored, one entry each naming its line, e.g.
         *     {@code line 5: mode 'none' ignored, the mode on line 2 counts (RFC 8461 §3.2)}
         */
        record Valid(StsPolicy policy, List<String> ignored) implements Result {
            public Valid {
                ignored = List.copyOf(ignored);
            }
        }

        record Invalid(String reason) implements Result {
        }
    }

    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    private static final Pattern MAX_AGE = Pattern.compile("[0-9]{1,10}");
    /** The fields that count once (§3.2); {@code mx} may repeat, unknown fields are ignored anyway. */
    private static final Set<String> ONCE = Set.of("version", "mode", "max_age");

    private PolicyParser() {
    }

    public static Result parse(String text) {
        String version = null;
        StsMode mode = null;
        Long maxAge = null;
        Set<String> mx = new LinkedHashSet<>();
        Map<String, Integer> firstLine = new HashMap<>();
        List<String> ignored = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].endsWith("\r") ? lines[n].substring(0, lines[n].length() - 1) : lines[n];
            String where = "line " + (n + 1) + ": ";
            if (line.isEmpty()) {
                continue;
            }
            if (line.indexOf('\r') >= 0) {
                return invalid(where + "bare CR");
            }
            int colon = line.indexOf(':');
            if (colon < 0 || !FIELD_NAME.matcher(line.substring(0, colon)).matches()) {
                return invalid(where + "'" + printable(line) + "' is not a 'name: value' field");
            }
            String key = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = Wsp.strip(line.substring(colon + 1));
            if (ONCE.contains(key)) {
                Integer first = firstLine.putIfAbsent(key, n + 1);
                if (first != null) {
                    ignored.add(where + key + " '" + printable(value) + "' ignored, the " + key + " on line " + first
                            + " counts (RFC 8461 §3.2)");
                    continue;
                }
            }
            switch (key) {
                case "version" -> {
                    if (!value.equalsIgnoreCase("STSv1")) {
                        return invalid(where + "version '" + printable(value) + "' is not STSv1");
                    }
                    version = value;
                }
                case "mode" -> {
                    try {
                        mode = StsMode.parse(value);
                    } catch (IllegalArgumentException e) {
                        return invalid(where + "mode '" + printable(value) + "' is not enforce, testing or none");
                    }
                }
                case "max_age" -> {
                    if (!MAX_AGE.matcher(value).matches()) {
                        return invalid(where + "max_age '" + printable(value) + "' is not 1 to 10 digits");
                    }
                    // §3.2 limits max_age to a year; a longer value is read as a year rather than refused.
                    maxAge = Math.min(Long.parseLong(value), StsPolicy.MAX_AGE_CAP);
                }
                case "mx" -> {
                    if (!HostPatterns.isValid(value, true)) {
                        return invalid(where + "mx '" + printable(value)
                                + "' is neither a host name nor a *.domain pattern");
                    }
                    mx.add(HostPatterns.normalize(value));
                }
                default -> {
                    // Extension fields are ignored (§3.2).
                }
            }
        }
        if (version == null) {
            return invalid("version field missing");
        }
        if (mode == null) {
            return invalid("mode field missing");
        }
        if (maxAge == null) {
            return invalid("max_age field missing");
        }
        if (mx.isEmpty() && mode != StsMode.NONE) {
            return invalid("no mx field, required in mode " + mode.label());
        }
        return new Result.Valid(new StsPolicy(mode, maxAge, mx.stream().toList()), ignored);
    }

    /** {@code s} safe to log: characters outside printable ASCII written as Java Unicode escapes. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return b.toString();
    }

    private static Result invalid(String reason) {
        return new Result.Invalid(reason);
    }
}
