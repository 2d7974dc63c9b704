package io.stsdane.relay.server.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The configuration's spellings of durations ({@code 30s 5m 1h 5d}) and sizes ({@code 35MiB 1GiB 1000}). */
public final class Units {

    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,15})\\s*(|B|KiB|MiB|GiB|TiB|kB|MB|GB|TB)");

    private Units() {
    }

    /**
     * Parses a duration: a whole number followed by {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}.
     *
     * @throws IllegalArgumentException with a message showing the expected spelling
     */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (expected for example 30s, 5m, 1h, 5d)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /**
     * Parses a size in bytes: plain bytes, or binary ({@code KiB MiB GiB TiB}) or decimal ({@code kB MB GB TB}) units.
     *
     * @throws IllegalArgumentException with a message showing the expected spelling
     */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (expected for example 35MiB, 1GiB or a number of bytes)");
        }
        long n = Long.parseLong(m.group(1));
        long unit = switch (m.group(2)) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "TiB" -> 1L << 40;
            case "kB" -> 1_000L;
            case "MB" -> 1_000_000L;
            case "GB" -> 1_000_000_000L;
            case "TB" -> 1_000_000_000_000L;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(n, unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
    }
}
