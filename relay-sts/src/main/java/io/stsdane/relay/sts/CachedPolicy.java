package io.stsdane.relay.sts;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A policy as fetched and cached for one domain.
 *
 * @param domain the policy domain (lower case A-label)
 * @param id the TXT record {@code id} that was current when the policy was fetched
 * @param text the policy file exactly as served
 * @param policy the parsed policy
 * @param fetchedAt when the policy was fetched
 */
public record CachedPolicy(String domain, String id, String text, StsPolicy policy, Instant fetchedAt) {

    public CachedPolicy {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(fetchedAt, "fetchedAt");
    }

    /**
     * The policy text one line per element, without line ends (CRLF or LF, RFC 8461 §3.2) and without empty
     * lines: the {@code policy-string} of RFC 8460 §4.4.
     */
    public List<String> lines() {
        return text.lines().filter(l -> !l.isBlank()).toList();
    }

    /** RFC 8461 §5.1: a policy is usable for {@code max_age} seconds after it was fetched. */
    public Instant expiresAt() {
        return fetchedAt.plusSeconds(policy.maxAgeSeconds());
    }

    public boolean isExpired(Instant now) {
        return !now.isBefore(expiresAt());
    }
}
