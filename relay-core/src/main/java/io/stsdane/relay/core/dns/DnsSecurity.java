package io.stsdane.relay.core.dns;

/**
 * The DNSSEC security state of one answer (RFC 4033 §5, RFC 7672 §2.1).
 *
 * <p>BOGUS and INDETERMINATE are failures: a policy decision that depends on such an answer must defer
 * (4.7.5), never fall back to a weaker TLS level.
 */
public enum DnsSecurity {
    /** Validated from a trust anchor. */
    SECURE,
    /** Provably unsigned (an insecure delegation on the path). */
    INSECURE,
    /** Signatures present but failed validation. */
    BOGUS,
    /** Validation could not finish: timeout, SERVFAIL, malformed answer. */
    INDETERMINATE;

    public boolean isSecure() {
        return this == SECURE;
    }

    /** True for BOGUS and INDETERMINATE: the answer cannot be used for any security decision. */
    public boolean isFailure() {
        return this == BOGUS || this == INDETERMINATE;
    }

    /**
     * The state of a result derived from two answers (for example a CNAME link and its target):
     * the weakest of the two, where BOGUS is worst, then INDETERMINATE, then INSECURE.
     */
    public DnsSecurity and(DnsSecurity other) {
        if (this == BOGUS || other == BOGUS) {
            return BOGUS;
        }
        if (this == INDETERMINATE || other == INDETERMINATE) {
            return INDETERMINATE;
        }
        if (this == INSECURE || other == INSECURE) {
            return INSECURE;
        }
        return SECURE;
    }
}
