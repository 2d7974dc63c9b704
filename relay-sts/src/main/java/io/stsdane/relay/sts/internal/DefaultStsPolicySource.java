package io.stsdane.relay.sts.internal;

import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.util.DomainNames;
import io.stsdane.relay.sts.PolicyFreshness;
import io.stsdane.relay.sts.StsLookup;
import io.stsdane.relay.sts.StsPolicySource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link StsPolicySource} built by {@code MtaSts.builder()}: {@link PolicyCache} for the policy,
 * {@link StsDecider} for the decision, and one daemon thread that refreshes policies before they expire.
 * Thread-safe.
 */
public final class DefaultStsPolicySource implements StsPolicySource {

    private static final Logger log = LoggerFactory.getLogger(DefaultStsPolicySource.class);

    private final PolicyCache cache;
    private final StsDecider decider;
    private final ScheduledExecutorService refresher;

    /**
     * @param refreshInterval how often stored policies are checked for refresh; zero for never (tests drive
     *     {@link PolicyCache#refreshDue()} themselves)
     */
    public DefaultStsPolicySource(PolicyCache cache, StsDecider decider, Duration refreshInterval) {
        this.cache = cache;
        this.decider = decider;
        if (refreshInterval.isZero()) {
            this.refresher = null;
        } else {
            this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "mta-sts-refresh");
                t.setDaemon(true);
                return t;
            });
            long period = refreshInterval.toMillis();
            refresher.scheduleWithFixedDelay(this::refresh, period, period, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public CompletionStage<PolicyDecision> decide(PolicyRequest request) {
        return lookup(request.policyDomain())
                .thenApply(l -> decider.decide(l, request.mxHost()))
                .exceptionally(e -> {
                    // Fail closed: a bug here must defer mail, not downgrade it.
                    log.error("MTA-STS decision for {} via {} failed unexpectedly", request.policyDomain(),
                            request.mxHost(), e);
                    return new PolicyDecision.TempFail(TlsFailure.VALIDATION_FAILURE,
                            "internal error in the MTA-STS decision: " + e);
                });
    }

    @Override
    public CompletionStage<StsLookup> lookup(String domain) {
        String canonical;
        try {
            canonical = DomainNames.canonical(domain);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new StsLookup(domain, List.of(), null, null, PolicyFreshness.NONE,
                    null, "not a valid domain name: " + e.getMessage()));
        }
        return cache.lookup(canonical);
    }

    @Override
    public void destinationFailed(String policyDomain) {
        try {
            cache.recheck(DomainNames.canonical(policyDomain));
        } catch (IllegalArgumentException e) {
            log.debug("no MTA-STS re-check for invalid domain {}", policyDomain);
        }
    }

    /** The cache, for diagnostics and tests. */
    public PolicyCache cache() {
        return cache;
    }

    private void refresh() {
        try {
            cache.refreshDue().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.error("MTA-STS background refresh failed", e);
        }
    }

    @Override
    public void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
    }
}
