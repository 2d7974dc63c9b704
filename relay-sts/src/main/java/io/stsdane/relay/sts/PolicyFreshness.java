package io.stsdane.relay.sts;

/** Where the policy in a {@link StsLookup} comes from. */
public enum PolicyFreshness {
    /** No policy: the domain announces none and nothing is cached. */
    NONE,
    /** Fetched during this lookup. */
    FRESH,
    /** From the cache (memory or disk); the lookup may still carry the error of a failed re-fetch. */
    CACHED,
    /** The domain announces a policy, but it could not be fetched or was invalid, and nothing usable is cached. */
    FETCH_FAILED
}
