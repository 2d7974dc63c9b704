package io.stsdane.relay.core.tls;

import java.util.concurrent.CompletionStage;

/**
 * One source of TLS policy: a local override, DANE, or MTA-STS. The delivery engine's policy resolver asks the
 * sources in order and applies the first {@link PolicyDecision.Apply}; a {@link PolicyDecision.TempFail}
 * stops the search for that host.
 *
 * <p>Thread-safe. Stages never complete exceptionally for DNS or network trouble; that is a TempFail.
 */
public interface TlsPolicySource {

    CompletionStage<PolicyDecision> decide(PolicyRequest request);

    /**
     * Told when every MX host of {@code policyDomain} failed because of this source's policy, before the
     * destination is deferred. MTA-STS uses it to look for a newer policy (RFC 8461 §5.1).
     */
    default void destinationFailed(String policyDomain) {
    }
}
