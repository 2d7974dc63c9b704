package io.stsdane.relay.smtp.outbound.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.stsdane.relay.core.delivery.DeliveryAttempt;
import io.stsdane.relay.core.delivery.DeliveryObserver;
import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsReporter;
import io.stsdane.relay.core.tls.TlsSessionResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records each delivery attempt four ways: one INFO line (a JSON object) on the {@code relay.delivery} logger, metrics when a
 * registry is given, TLS reporting (RFC 8460) for sessions under a DANE or MTA-STS policy, and the
 * {@link DeliveryObserver} (the same {@link DeliveryAttempt} the log line is written from). Thread-safe.
 */
final class AttemptLog {

    private static final Logger LOG = LoggerFactory.getLogger("relay.delivery");

    private final TlsReporter reporter;
    /** Null without a registry. */
    private final AttemptMeters meters;
    private final DeliveryObserver observer;

    AttemptLog(TlsReporter reporter, MeterRegistry meters, DeliveryObserver observer) {
        this.reporter = reporter;
        this.meters = meters == null ? null : new AttemptMeters(meters);
        this.observer = observer;
    }

    /**
     * One attempt. {@code route} is null when no connection was tried (policy TempFail, no address);
     * {@code policy} is null when no policy was decided; {@code tls} is null for plaintext.
     *
     * <p>The log message is one JSON object (docs/operations.md, "Delivery log") so that the JSON-lines
     * configuration can write the message alone as a line: {@code time}, {@code queue}, {@code domain}, {@code mx}, {@code ip},
     * {@code policy_source} ({@code tlsrpt-report} for the relay's own TLS-RPT reports, RFC 8460 §5.3.1),
     * {@code policy_level}, {@code plaintext_retry}, {@code tls_protocol},
     * {@code tls_cipher}, {@code verified}, {@code verification}, {@code outcome}, {@code reply},
     * {@code duration_ms}, {@code dkim} (the signatures the relay added at intake, {@code d=... s=... a=...}
     * joined by {@code ", "}); absent values are JSON null.
     *
     * @return the attempt as logged
     */
    DeliveryAttempt attempt(DeliveryRequest req, String mxHost, Route route, TlsPolicy policy, TlsInfo tls, String outcome,
            String reply, long startNanos) {
        DeliveryAttempt a = new DeliveryAttempt(Instant.now(), req.id(), req.domain(),
                "-".equals(mxHost) ? null : mxHost,
                route == null ? null : route.address().getAddress().getHostAddress(),
                policy == null ? null : policy.source(),
                policy == null ? null : policy.level(),
                route != null && route.plaintext() && policy != null && policy.level() != TlsLevel.NONE,
                tls == null ? null : tls.protocol(),
                tls == null ? null : tls.cipher(),
                tls == null ? null : tls.verification().passed(),
                tls == null ? null : tls.verification().detail(),
                outcome, reply, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        if (LOG.isInfoEnabled()) {
            LOG.info(JsonLine.of(a, req.envelope().dkimSignatures()));
        }
        if (meters != null) {
            meters.attempt(policy, outcome, a.tlsProtocol());
        }
        try {
            observer.attempted(req, a);
        } catch (RuntimeException e) {
            LOG.warn("delivery observer failed: {}", e.toString());
        }
        return a;
    }

    /** The end of one {@code deliver} call: one latency sample per recipient outcome kind, as a histogram. */
    void delivery(DeliveryRequest req, List<RecipientOutcome> outcomes, long startNanos) {
        try {
            observer.concluded(req, outcomes);
        } catch (RuntimeException e) {
            LOG.warn("delivery observer failed: {}", e.toString());
        }
        if (meters != null) {
            meters.delivery(outcomes, Duration.ofNanos(System.nanoTime() - startNanos));
        }
    }

    /**
     * TLS reporting for a session under a DANE or MTA-STS policy (testing mode included): success when TLS was
     * up and the verifier passed, else the failure kind. Plaintext retries and non-TLS failures are not sessions.
     */
    void tlsSession(Route route, TlsInfo tls, TlsFailure failure, String detail) {
        TlsPolicy p = route.policy();
        if (route.plaintext() || (p.source() != PolicyOrigin.DANE && p.source() != PolicyOrigin.MTA_STS)) {
            return;
        }
        TlsFailure kind = failure;
        String text = detail;
        if (kind == null && tls == null) {
            kind = TlsFailure.STARTTLS_NOT_SUPPORTED;
            text = "delivered without TLS: the server did not offer STARTTLS";
        } else if (kind == null && !tls.verification().passed()) {
            kind = tls.verification().failure();
            text = tls.verification().detail();
        } else if (kind == null) {
            text = tls.verification().detail();
        }
        try {
            reporter.record(new TlsSessionResult(p, route.host().name(),
                    route.address().getAddress().getHostAddress(), kind, text));
        } catch (RuntimeException e) {
            LOG.warn("TLS reporter failed: {}", e.toString());
        }
    }

    /**
     * TLS reporting for a host that gets the opportunistic policy because a source could not supply its policy
     * (an announced MTA-STS policy that cannot be fetched, RFC 8461 §5.1): one failure under {@code policy}
     * (reported as no-policy-found) per host tried, before any connection, so without an address.
     */
    void policyUnavailable(TlsPolicy policy, String mxHost, PolicyDecision.NotApplicable unavailable) {
        try {
            reporter.record(new TlsSessionResult(policy, mxHost, null, unavailable.failure(), unavailable.reason()));
        } catch (RuntimeException e) {
            LOG.warn("TLS reporter failed: {}", e.toString());
        }
    }
}
