package io.stsdane.relay.smtp.outbound;

import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsPolicySource;
import io.stsdane.relay.core.util.Throwables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS policy the delivery engine applies to one host: the {@link DeliveryEngine} resolves every host it tries
 * through this class, and diagnostics ({@code relay check}) use it to show exactly that policy, so the two can
 * never disagree.
 *
 * <p>Asks the sources in order (typically override, DANE, MTA-STS); the first {@code Apply} that authenticates
 * the peer wins, a {@code TempFail} stops the search (a weaker source must never be consulted instead),
 * {@code NotApplicable} moves on; when no source applies, opportunistic STARTTLS. A source that fails or has not
 * answered within the timeout is a {@code TempFail}. The resolution is never {@code NotApplicable}.
 *
 * <p>An {@code Apply} from DANE or MTA-STS that authenticates nothing (DANE with only unusable TLSA records, RFC
 * 7672 §3.1.3: TLS required, no authentication; MTA-STS {@code testing}) is a floor, not the answer: the later
 * sources are still asked, and a stronger policy from them wins. Otherwise a TLSA RRset with only unusable
 * records would switch off the PKIX check of an enforced MTA-STS policy (RFC 8461 §2 lets DANE take precedence
 * only where it authenticates). A local override is always final.
 *
 * <p>A DANE policy for a host that an insecure MX RRset named (RFC 7672 §2.2.1: the host's own zone is signed
 * and publishes TLSA records) is <em>provisional</em>: it authenticates the host, not that the host is the
 * domain's MX, since a forged MX RRset could have named it. The later sources are still asked; a {@code TempFail}
 * from them (an enforced MTA-STS policy whose {@code mx} patterns do not list the host) stops delivery to the
 * host, as it did before DANE was applied there; otherwise the DANE policy applies, over any later policy (RFC
 * 8461 §2: MTA-STS never overrides DANE).
 *
 * <p>A {@code NotApplicable} may carry a failure for TLS reporting (an MTA-STS policy announced but not
 * fetchable, RFC 8461 §5.1). When the host then gets the opportunistic policy, the resolution says so, for the
 * caller to report (RFC 8460 §4.3.2.2); under a DANE floor the session is reported under that policy instead.
 *
 * <p>Immutable and thread-safe when the sources are.
 */
public final class HostPolicyResolver {

    private static final Logger LOG = LoggerFactory.getLogger(HostPolicyResolver.class);

    private final List<TlsPolicySource> sources;
    private final Duration timeout;

    /**
     * @param sources the policy sources in decision order, as given to the {@link DeliveryEngine}
     * @param timeout how long one source may take; a source that has not answered by then is a TempFail, so a
     *     stuck source delays mail but never lets it pass with a weaker policy
     */
    public HostPolicyResolver(List<TlsPolicySource> sources, Duration timeout) {
        this.sources = List.copyOf(sources);
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * What one source answered while a host's policy was resolved.
     *
     * @param source the source asked
     * @param decision its answer; a {@code TempFail} made by the resolver when the source failed or timed out
     * @param floor the answer is an {@code Apply} that authenticates nothing, kept only as a minimum level
     *     while the later sources are asked; or a provisional DANE policy (an insecure MX RRset named the host),
     *     kept while the later sources are asked whether they refuse the host
     */
    public record Answer(TlsPolicySource source, PolicyDecision decision, boolean floor) {
    }

    /**
     * The policy for one host.
     *
     * @param decision {@code Apply} or {@code TempFail}, never {@code NotApplicable}
     * @param unreported when the decision is the opportunistic policy: a source that did not apply although it
     *     should have, with the failure to report; else null
     * @param answers every source asked, in order; sources after a final answer were not asked
     */
    public record Resolution(PolicyDecision decision, PolicyDecision.NotApplicable unreported, List<Answer> answers) {

        public Resolution {
            Objects.requireNonNull(decision, "decision");
            answers = List.copyOf(answers);
        }
    }

    /** Resolves the policy for {@code request}; never completes exceptionally. */
    public CompletionStage<Resolution> resolve(PolicyRequest request) {
        return ask(0, request, null, null, List.of());
    }

    /** RFC 8461 §5.1 and friends: every host failed for policy reasons, so sources may look for news. */
    public void destinationFailed(String policyDomain) {
        for (TlsPolicySource s : sources) {
            try {
                s.destinationFailed(policyDomain);
            } catch (RuntimeException e) {
                // A source's bookkeeping failure must not change the delivery outcome; the operator hears of it.
                LOG.warn("policy source {} failed on hearing that every host of {} failed: {}",
                        s.getClass().getSimpleName(), policyDomain, e.toString());
            }
        }
    }

    private static boolean isFloor(TlsPolicy p) {
        return p.source() != PolicyOrigin.OVERRIDE && !p.level().requiresAuthentication();
    }

    /** RFC 7672 §2.2.1: DANE for a host an insecure MX RRset named waits for the later sources' objections. */
    private static boolean isProvisional(TlsPolicy p, PolicyRequest request) {
        return p.source() == PolicyOrigin.DANE && p.level().requiresAuthentication()
                && !request.mxSecurity().isSecure();
    }

    /** The innermost message worth showing; a policy source that ran out of time says how long it had. */
    private String describe(Throwable e) {
        if (Throwables.unwrap(e) instanceof TimeoutException) {
            return "no answer within " + timeout.toMillis() + " ms";
        }
        return Throwables.rootMessage(e);
    }

    private static List<Answer> plus(List<Answer> answers, Answer a) {
        List<Answer> out = new ArrayList<>(answers);
        out.add(a);
        return out;
    }

    /**
     * @param floor the provisional DANE policy a source already applied, else the strongest non-authenticating
     *     policy, or null
     * @param failed the first {@code NotApplicable} that carried a failure, or null
     * @param answers what the sources before {@code i} answered
     */
    private CompletionStage<Resolution> ask(int i, PolicyRequest request, TlsPolicy floor,
            PolicyDecision.NotApplicable failed, List<Answer> answers) {
        if (i == sources.size()) {
            if (floor != null) {
                return CompletableFuture.completedFuture(new Resolution(new PolicyDecision.Apply(floor), null,
                        answers));
            }
            TlsPolicy none = TlsPolicy.opportunistic(request.policyDomain(), request.mxHost());
            return CompletableFuture.completedFuture(new Resolution(new PolicyDecision.Apply(none), failed, answers));
        }
        TlsPolicySource source = sources.get(i);
        CompletableFuture<PolicyDecision> d;
        try {
            d = source.decide(request).toCompletableFuture();
            // A decision already made (from cached DNS answers, the usual case) needs no timer.
            if (!d.isDone()) {
                d = d.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException e) {
            d = CompletableFuture.failedFuture(e);
        }
        boolean provisional = floor != null && isProvisional(floor, request);
        return d.handle((decision, e) -> {
            if (e != null || decision == null) {
                PolicyDecision tf = new PolicyDecision.TempFail(TlsFailure.VALIDATION_FAILURE, "policy source "
                        + source.getClass().getSimpleName() + " failed: " + (e == null ? "no decision" : describe(e)));
                return CompletableFuture.completedFuture(new Resolution(tf, null,
                        plus(answers, new Answer(source, tf, false))));
            }
            if (decision instanceof PolicyDecision.NotApplicable na) {
                return ask(i + 1, request, floor, failed == null && na.failure() != null ? na : failed,
                        plus(answers, new Answer(source, decision, false)));
            }
            // A local override (a `dane` one too, which carries DANE's policy) is final: never provisional.
            if (decision instanceof PolicyDecision.Apply a && (provisional || isFloor(a.policy())
                    || (!(source instanceof OverridePolicySource) && isProvisional(a.policy(), request)))) {
                TlsPolicy kept = provisional || (floor != null && a.policy().level().compareTo(floor.level()) <= 0)
                        ? floor : a.policy();
                Answer answer = new Answer(source, decision, kept == a.policy());
                return ask(i + 1, request, kept, failed, plus(answers, answer));
            }
            return CompletableFuture.completedFuture(new Resolution(decision, null,
                    plus(answers, new Answer(source, decision, false))));
        }).thenCompose(x -> x);
    }
}
