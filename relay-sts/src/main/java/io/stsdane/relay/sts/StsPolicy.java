package io.stsdane.relay.sts;

import io.stsdane.relay.core.pki.HostPatterns;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed, valid MTA-STS policy (RFC 8461 §3.2).
 *
 * @param mode the policy mode
 * @param maxAgeSeconds how long the policy may be cached, already capped at {@link #MAX_AGE_CAP}
 * @param mx the allowed MX patterns, lower case without trailing dot, in policy order without duplicates
 */
public record StsPolicy(StsMode mode, long maxAgeSeconds, List<String> mx) {

    /** RFC 8461 §3.2: max_age is at most 31557600 seconds (about a year). */
    public static final long MAX_AGE_CAP = 31_557_600L;

    public StsPolicy {
        Objects.requireNonNull(mode, "mode");
        mx = List.copyOf(mx);
        if (maxAgeSeconds < 0 || maxAgeSeconds > MAX_AGE_CAP) {
            throw new IllegalArgumentException("max_age out of range: " + maxAgeSeconds);
        }
    }

    /** The first {@code mx} pattern that allows {@code mxHost} (RFC 8461 §4.1), if any. */
    public Optional<String> matchingPattern(String mxHost) {
        return mx.stream().filter(p -> HostPatterns.matches(p, mxHost)).findFirst();
    }
}
