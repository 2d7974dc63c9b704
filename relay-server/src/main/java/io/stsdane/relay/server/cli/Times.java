package io.stsdane.relay.server.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Times as an operator reads them: UTC to the second, and short ages ({@code 3h05m}). */
final class Times {

    private static final DateTimeFormatter AT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private Times() {
    }

    /** {@code 2026-12-07 08:50:12Z}; {@code -} for null. */
    static String at(Instant t) {
        return t == null ? "-" : AT.format(t);
    }

    /** {@code 45s}, {@code 12m}, {@code 3h05m}, {@code 2d04h}; negative durations count as zero. */
    static String span(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m";
        }
        if (s < 86_400) {
            return String.format("%dh%02dm", s / 3600, s % 3600 / 60);
        }
        return String.format("%dd%02dh", s / 86_400, s % 86_400 / 3600);
    }

    /** When something happens relative to {@code now}: {@code now}, {@code in 4m}, {@code -} for null. */
    static String until(Instant t, Instant now) {
        if (t == null) {
            return "-";
        }
        return t.isAfter(now) ? "in " + span(Duration.between(now, t)) : "now";
    }
}
