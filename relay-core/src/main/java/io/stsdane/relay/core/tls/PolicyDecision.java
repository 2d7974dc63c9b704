package io.stsdane.relay.core.tls;

import java.util.Objects;

/** What one {@link TlsPolicySource} says about one MX host. */
public sealed interface PolicyDecision {

    /**
     * This source decides: apply this policy. A policy that authenticates the peer (or a local override) is
     * final: no later source is consulted. A DANE or MTA-STS policy that authenticates nothing (DANE with only
     * unusable TLSA records, MTA-STS {@code testing}) is a floor: later sources are still asked and a stronger
     * policy from them wins; the floor applies when none is stronger (docs/delivery.md).
     */
    record Apply(TlsPolicy policy) implements PolicyDecision {
        public Apply {
            Objects.requireNonNull(policy, "policy");
        }
    }

    /**
     * This source has nothing to say about the host; ask the next source.
     *
     * @param reason why, for logs
     * @param failure a failure TLS reporting should still hear of, or null: an MTA-STS policy that is announced
     *     but cannot be fetched or is invalid, with none cached, does not apply (RFC 8461 §5.1), yet the domain
     *     wants to know (RFC 8460 §4.3.2.2)
     */
    record NotApplicable(String reason, TlsFailure failure) implements PolicyDecision {
        public NotApplicable {
            Objects.requireNonNull(reason, "reason");
        }

        /** Nothing to say and nothing to report. */
        public NotApplicable(String reason) {
            this(reason, null);
        }
    }

    /**
     * This source cannot decide safely (bogus or indeterminate DNS, MTA-STS fetch failure in enforce mode, MX
     * host not allowed by an enforced policy): do not deliver to this host now; try another host or defer
     * with 4.7.5. Never a reason to consult a weaker source.
     */
    record TempFail(TlsFailure failure, String reason) implements PolicyDecision {
        public TempFail {
            Objects.requireNonNull(failure, "failure");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
