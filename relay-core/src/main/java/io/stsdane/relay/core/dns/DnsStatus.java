package io.stsdane.relay.core.dns;

/** What an answer said, independent of whether it can be trusted (see {@link DnsSecurity}). */
public enum DnsStatus {
    /** The name exists and records of the asked type were returned. */
    NOERROR,
    /** The name exists but has no records of the asked type. */
    NODATA,
    /** The name does not exist. */
    NXDOMAIN,
    /** No usable answer: timeout, SERVFAIL, REFUSED, malformed or hostile response. */
    ERROR;

    /** True when the answer is a definite negative (NODATA or NXDOMAIN). */
    public boolean isNegative() {
        return this == NODATA || this == NXDOMAIN;
    }
}
