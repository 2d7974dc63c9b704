package io.stsdane.relay.smtp.outbound.internal;

import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsPolicySource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One policy per MX host: asks the sources in order (override, DANE, MTA-STS); the first {@code Apply} wins,
 * a {@code TempFail} stops the search (a weaker source must never be consulted instead), {@code NotApplicable}
 * moves on; when no source applies, opportunistic STARTTLS. Never returns {@code NotApplicable}. Thread-safe.
 */
final class PolicyResolver {

    private final List<TlsPolicySource> sources;

    PolicyResolver(List<TlsPolicySource> sources) {
        this.sources = List.copyOf(sources);
    }

    CompletionStage<PolicyDecision> resolve(PolicyRequest request) {
        return ask(0, request);
    }

    /** RFC 8461 §5.1 and friends: every host failed for policy reasons, so sources may look for news. */
    void destinationFailed(String policyDomain) {
        for (TlsPolicySource s : sources) {
            try {
                s.destinationFailed(policyDomain);
            } catch (RuntimeException e) {
                // A source's bookkeeping failure must not change the delivery outcome.
            }
        }
    }

    private CompletionStage<PolicyDecision> ask(int i, PolicyRequest request) {
        if (i == sources.size()) {
            return CompletableFuture.completedFuture(new PolicyDecision.Apply(
                    TlsPolicy.opportunistic(request.policyDomain(), request.mxHost())));
        }
        CompletionStage<PolicyDecision> d;
        try {
            d = sources.get(i).decide(request);
        } catch (RuntimeException e) {
            d = CompletableFuture.failedFuture(e);
        }
        return d.handle((decision, e) -> {
            if (e != null || decision == null) {
                return CompletableFuture.<PolicyDecision>completedFuture(new PolicyDecision.TempFail(
                        TlsFailure.VALIDATION_FAILURE, "policy source " + sources.get(i).getClass().getSimpleName()
                                + " failed: " + (e == null ? "no decision" : SmtpConnector.rootMessage(e))));
            }
            if (decision instanceof PolicyDecision.NotApplicable) {
                return ask(i + 1, request);
            }
            return CompletableFuture.completedFuture(decision);
        }).thenCompose(x -> x);
    }
}
