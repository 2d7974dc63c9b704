package io.stsdane.relay.core.tls;

import java.util.Objects;

/** What one {@link TlsPolicySource} says about one MX host. */
public sealed interface PolicyDecision {

    /** This source decides: apply this policy, and consult no later source. */
    record Apply(TlsPolicy policy) implements PolicyDecision {
        public Apply {
            Objects.requireNonNull(policy, "policy");
        }
    }

    /** This source has nothing to say about the host; ask the next source. */
    record NotApplicable(String reason) implements PolicyDecision {
        public NotApplicable {
            Objects.requireNonNull(reason, "reason");
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
