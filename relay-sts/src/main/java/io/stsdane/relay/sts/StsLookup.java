package io.stsdane.relay.sts;

import io.stsdane.relay.core.tls.TlsFailure;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one MTA-STS lookup found, for the policy decision and for {@code relay check}.
 *
 * @param domain the policy domain
 * @param txtRecords every TXT record found at {@code _mta-sts.<domain>} (empty when none or the lookup failed)
 * @param announcedId the {@code id} of the single valid {@code v=STSv1} record, or null when there is none
 * @param policy the policy in effect (fresh or cached, unexpired), or null
 * @param freshness where {@code policy} comes from
 * @param failure the RFC 8460 failure kind of a failed fetch during this lookup, or null
 * @param detail a line for an operator: what was found, or why there is no (fresh) policy
 */
public record StsLookup(
        String domain,
        List<String> txtRecords,
        String announcedId,
        CachedPolicy policy,
        PolicyFreshness freshness,
        TlsFailure failure,
        String detail) {

    public StsLookup {
        Objects.requireNonNull(domain, "domain");
        txtRecords = List.copyOf(txtRecords);
        Objects.requireNonNull(freshness, "freshness");
        Objects.requireNonNull(detail, "detail");
        if ((policy != null) != (freshness == PolicyFreshness.FRESH || freshness == PolicyFreshness.CACHED)) {
            throw new IllegalArgumentException("a policy is present exactly when the freshness is FRESH or CACHED");
        }
    }

    public Optional<CachedPolicy> effectivePolicy() {
        return Optional.ofNullable(policy);
    }
}
