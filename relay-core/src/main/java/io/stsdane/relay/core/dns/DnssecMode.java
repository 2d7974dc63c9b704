package io.stsdane.relay.core.dns;

/** How the relay learns whether an answer is DNSSEC-secure ({@code dns.dnssec}). */
public enum DnssecMode {
    /** Validate in-process with dnsjava's validating resolver and the configured trust anchors. */
    VALIDATE,
    /** Trust the AD bit of the configured resolvers (only loopback resolvers unless explicitly allowed). */
    TRUST_AD,
    /** Every answer is INSECURE: DANE is disabled. */
    OFF;

    public static DnssecMode parse(String s) {
        return switch (s) {
            case "validate" -> VALIDATE;
            case "trust-ad" -> TRUST_AD;
            case "off" -> OFF;
            default -> throw new IllegalArgumentException("unknown dnssec mode '" + s + "' (expected validate, trust-ad or off)");
        };
    }
}
