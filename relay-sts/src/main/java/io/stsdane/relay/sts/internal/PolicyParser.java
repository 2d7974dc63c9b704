package io.stsdane.relay.sts.internal;

import io.stsdane.relay.core.pki.HostPatterns;
import io.stsdane.relay.sts.StsMode;
import io.stsdane.relay.sts.StsPolicy;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Strict parser of the policy file (RFC 8461 §3.2). Stateless and thread-safe.
 *
 * <p>Lines end in LF or CRLF; empty lines are skipped. Field names and the fixed values ({@code STSv1}, the modes)
 * compare case-insensitively, as quoted strings in ABNF do. {@code version}, {@code mode} and {@code max_age} must
 * each appear exactly once; {@code mx} at least once unless the mode is {@code none}. Unknown fields are ignored.
 * Anything else makes the whole policy invalid, with the reason naming the line.
 */
public final class PolicyParser {

    /** The result of parsing: a policy, or why the file is not one. */
    public sealed interface Result {
        record Valid(StsPolicy policy) implements Result {
        }

        record Invalid(String reason) implements Result {
        }
    }

    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    private static final Pattern MAX_AGE = Pattern.compile("[0-9]{1,10}");

    private PolicyParser() {
    }

    public static Result parse(String text) {
        String version = null;
        StsMode mode = null;
        Long maxAge = null;
        Set<String> mx = new LinkedHashSet<>();
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
                return invalid(where + "'" + line + "' is not a 'name: value' field");
            }
            String key = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            switch (key) {
                case "version" -> {
                    if (version != null) {
                        return invalid(where + "version given twice");
                    }
                    if (!value.equalsIgnoreCase("STSv1")) {
                        return invalid(where + "version '" + value + "' is not STSv1");
                    }
                    version = value;
                }
                case "mode" -> {
                    if (mode != null) {
                        return invalid(where + "mode given twice");
                    }
                    try {
                        mode = StsMode.parse(value);
                    } catch (IllegalArgumentException e) {
                        return invalid(where + e.getMessage());
                    }
                }
                case "max_age" -> {
                    if (maxAge != null) {
                        return invalid(where + "max_age given twice");
                    }
                    if (!MAX_AGE.matcher(value).matches()) {
                        return invalid(where + "max_age '" + value + "' is not 1 to 10 digits");
                    }
                    // §3.2 limits max_age to a year; a longer value is read as a year rather than refused.
                    maxAge = Math.min(Long.parseLong(value), StsPolicy.MAX_AGE_CAP);
                }
                case "mx" -> {
                    if (!HostPatterns.isValid(value, true)) {
                        return invalid(where + "mx '" + value + "' is neither a host name nor a *.domain pattern");
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
        return new Result.Valid(new StsPolicy(mode, maxAge, mx.stream().toList()));
    }

    private static Result invalid(String reason) {
        return new Result.Invalid(reason);
    }
}
