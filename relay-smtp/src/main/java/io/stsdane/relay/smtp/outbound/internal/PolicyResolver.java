package io.stsdane.relay.smtp.outbound.internal;

import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.PolicySource;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsPolicySource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One policy per MX host: asks the sources in order (override, DANE, MTA-STS); the first {@code Apply} that
 * authenticates the peer wins, a {@code TempFail} stops the search (a weaker source must never be consulted
 * instead), {@code NotApplicable} moves on; when no source applies, opportunistic STARTTLS. Never returns
 * {@code NotApplicable}.
 *
 * <p>An {@code Apply} from DANE or MTA-STS that authenticates nothing (DANE with only unusable TLSA records, RFC
 * 7672 §3.1.3: TLS required, no authentication; MTA-STS {@code testing}) is a floor, not the answer: the later
 * sources are still asked, and a stronger policy from them wins. Otherwise a TLSA RRset with only unusable
 * records would switch off the PKIX check of an enforced MTA-STS policy (RFC 8461 §2 lets DANE take precedence
 * only where it authenticates). A local override is always final.
 *
 * <p>A {@code NotApplicable} may carry a failure for TLS reporting (an MTA-STS policy announced but not
 * fetchable, RFC 8461 §5.1). When the host then gets the opportunistic policy, the resolution says so, for the
 * caller to report (RFC 8460 §4.3.2.2); under a DANE floor the session is reported under that policy instead.
 * Thread-safe.
 */
final class PolicyResolver {

    private final List<TlsPolicySource> sources;
    private final Duration timeout;

    /**
     * @param timeout how long one source may take; a source that has not answered by then is a TempFail, so a
     *     stuck source delays mail but never lets it pass with a weaker policy
     */
    PolicyResolver(List<TlsPolicySource> sources, Duration timeout) {
        this.sources = List.copyOf(sources);
        this.timeout = timeout;
    }

    /**
     * The decision for one host, never {@code NotApplicable}.
     *
     * @param decision {@code Apply} or {@code TempFail}
     * @param unreported when the decision is the opportunistic policy: a source that did not apply although it
     *     should have, with the failure to report; else null
     */
    record Resolution(PolicyDecision decision, PolicyDecision.NotApplicable unreported) {
    }

    CompletionStage<Resolution> resolve(PolicyRequest request) {
        return ask(0, request, null, null);
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

    private static boolean isFloor(TlsPolicy p) {
        return p.source() != PolicySource.OVERRIDE && !p.level().requiresAuthentication();
    }

    private String describe(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return t instanceof TimeoutException ? "no answer within " + timeout.toMillis() + " ms"
                : SmtpConnector.rootMessage(t);
    }

    /**
     * @param floor the strongest non-authenticating policy a source already applied, or null
     * @param failed the first {@code NotApplicable} that carried a failure, or null
     */
    private CompletionStage<Resolution> ask(int i, PolicyRequest request, TlsPolicy floor,
            PolicyDecision.NotApplicable failed) {
        if (i == sources.size()) {
            if (floor != null) {
                return CompletableFuture.completedFuture(new Resolution(new PolicyDecision.Apply(floor), null));
            }
            TlsPolicy none = TlsPolicy.opportunistic(request.policyDomain(), request.mxHost());
            return CompletableFuture.completedFuture(new Resolution(new PolicyDecision.Apply(none), failed));
        }
        CompletableFuture<PolicyDecision> d;
        try {
            d = sources.get(i).decide(request).toCompletableFuture().copy()
                    .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            d = CompletableFuture.failedFuture(e);
        }
        return d.handle((decision, e) -> {
            if (e != null || decision == null) {
                return CompletableFuture.completedFuture(new Resolution(new PolicyDecision.TempFail(
                        TlsFailure.VALIDATION_FAILURE, "policy source " + sources.get(i).getClass().getSimpleName()
                                + " failed: " + (e == null ? "no decision" : describe(e))), null));
            }
            if (decision instanceof PolicyDecision.NotApplicable na) {
                return ask(i + 1, request, floor, failed == null && na.failure() != null ? na : failed);
            }
            if (decision instanceof PolicyDecision.Apply a && isFloor(a.policy())) {
                return ask(i + 1, request, floor == null || a.policy().level().compareTo(floor.level()) > 0
                        ? a.policy() : floor, failed);
            }
            return CompletableFuture.completedFuture(new Resolution(decision, null));
        }).thenCompose(x -> x);
    }
}
