package io.stsdane.relay.sts.internal;

import io.stsdane.relay.core.pki.HostPatterns;
import io.stsdane.relay.core.pki.PkixVerifier;
import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.Verification;
import io.stsdane.relay.sts.CachedPolicy;
import io.stsdane.relay.sts.PolicyFreshness;
import io.stsdane.relay.sts.StsLookup;
import io.stsdane.relay.sts.StsPolicy;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.X509TrustManager;

/**
 * Turns the policy of a domain into the decision for one MX host (RFC 8461 §4 and §5). Immutable and thread-safe.
 */
public final class StsDecider {

    private final X509TrustManager trust;
    private final boolean deferWhenPolicyUnavailable;

    /**
     * @param deferWhenPolicyUnavailable when a policy is announced but cannot be fetched and none is cached: true
     *     defers (TempFail); false delivers as without MTA-STS, as RFC 8461 §5.1 requires
     */
    public StsDecider(X509TrustManager trust, boolean deferWhenPolicyUnavailable) {
        this.trust = trust;
        this.deferWhenPolicyUnavailable = deferWhenPolicyUnavailable;
    }

    public PolicyDecision decide(StsLookup lookup, String mxHostAsGiven) {
        String mxHost = HostPatterns.normalize(mxHostAsGiven);
        String domain = lookup.domain();
        Optional<CachedPolicy> cached = lookup.effectivePolicy();
        if (cached.isEmpty()) {
            if (lookup.freshness() == PolicyFreshness.FETCH_FAILED && deferWhenPolicyUnavailable) {
                return new PolicyDecision.TempFail(lookup.failure(), "MTA-STS policy of " + domain
                        + " unavailable and deferring is configured: " + lookup.detail());
            }
            // RFC 8461 §5.1: deliver as without MTA-STS, but tell TLS reporting why there was no policy.
            return new PolicyDecision.NotApplicable("no MTA-STS policy for " + domain + ": " + lookup.detail(),
                    lookup.freshness() == PolicyFreshness.FETCH_FAILED ? lookup.failure() : null);
        }
        StsPolicy policy = cached.get().policy();
        String id = cached.get().id();
        List<String> lines = cached.get().lines();
        Optional<String> pattern = policy.matchingPattern(mxHost);
        String mismatch = "mx " + mxHost + " not in MTA-STS policy of " + domain + " " + policy.mx();
        return switch (policy.mode()) {
            case NONE -> new PolicyDecision.NotApplicable("MTA-STS policy of " + domain + " (id " + id
                    + ") has mode none");
            case ENFORCE -> pattern
                    .<PolicyDecision>map(p -> new PolicyDecision.Apply(new TlsPolicy(TlsLevel.VERIFY,
                            PolicyOrigin.MTA_STS, domain, mxHost, PkixVerifier.forHost(trust, mxHost),
                            "MTA-STS enforce (" + domain + " id " + id + "): " + mxHost + " matches mx " + p
                                    + ", certificate must be PKIX-valid for it", lines)))
                    .orElseGet(() -> new PolicyDecision.TempFail(TlsFailure.VALIDATION_FAILURE, mismatch));
            case TESTING -> new PolicyDecision.Apply(new TlsPolicy(TlsLevel.MAY, PolicyOrigin.MTA_STS, domain, mxHost,
                    pattern.isPresent() ? PkixVerifier.forHost(trust, mxHost) : mismatchReporter(mismatch),
                    "MTA-STS testing (" + domain + " id " + id + "): "
                            + pattern.map(p -> mxHost + " matches mx " + p).orElse(mismatch)
                            + "; failures are reported, not enforced", lines));
        };
    }

    /** In testing mode an MX outside the policy is still delivered to, but the failure is reported (RFC 8460). */
    private static PeerVerifier mismatchReporter(String mismatch) {
        return chain -> Verification.failed(TlsFailure.VALIDATION_FAILURE, mismatch);
    }
}
