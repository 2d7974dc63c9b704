package io.stsdane.relay.sts;

import java.util.Locale;

/** The {@code mode} of an MTA-STS policy (RFC 8461 §5). */
public enum StsMode {
    /** Deliver only to matching MX hosts with a PKIX-valid certificate; otherwise defer. */
    ENFORCE,
    /** Deliver as without a policy, but report what would have failed (RFC 8460). */
    TESTING,
    /** The domain has withdrawn its policy. */
    NONE;

    /**
     * The policy file spelling. RFC 8461 §3.2 writes the modes as {@code %s"enforce"} etc., case-sensitive
     * (RFC 7405); this comparison ignores case on purpose, a leniency: {@code Enforce} is read as the domain
     * evidently meant it rather than dropping its policy.
     */
    public static StsMode parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "enforce" -> ENFORCE;
            case "testing" -> TESTING;
            case "none" -> NONE;
            default -> throw new IllegalArgumentException("mode '" + s + "' is not enforce, testing or none");
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
