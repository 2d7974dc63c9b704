package io.stsdane.relay.smtp.outbound.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.tls.PolicySource;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsReporter;
import io.stsdane.relay.core.tls.TlsSessionResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records each delivery attempt three ways: one INFO line on the {@code relay.delivery} logger, metrics when a
 * registry is given, and TLS reporting (RFC 8460) for sessions under a DANE or MTA-STS policy. Thread-safe.
 */
final class AttemptLog {

    private static final Logger LOG = LoggerFactory.getLogger("relay.delivery");

    private final TlsReporter reporter;
    private final MeterRegistry meters;

    AttemptLog(TlsReporter reporter, MeterRegistry meters) {
        this.reporter = reporter;
        this.meters = meters;
    }

    /**
     * One attempt. {@code route} is null when no connection was tried (policy TempFail, no address);
     * {@code policy} is null when no policy was decided; {@code tls} is null for plaintext.
     */
    void attempt(DeliveryRequest req, String mxHost, Route route, TlsPolicy policy, TlsInfo tls, String outcome,
            String reply, long startNanos) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        String ip = route == null ? "-" : route.address().getAddress().getHostAddress();
        String pol = policy == null ? "-" : policy.source().label() + "/" + policy.level().configName()
                + (route != null && route.plaintext() && policy.level().compareTo(
                        io.stsdane.relay.core.tls.TlsLevel.NONE) > 0 ? "(plaintext-retry)" : "");
        String tlsText = tls == null ? "none" : tls.protocol() + "/" + tls.cipher();
        String verify = tls == null ? "-" : (tls.verification().passed() ? "passed: " : "failed: ")
                + tls.verification().detail();
        LOG.info("queue={} domain={} mx={} ip={} policy={} tls={} verify=\"{}\" outcome={} reply=\"{}\" duration={}ms",
                req.id(), req.domain(), mxHost, ip, pol, tlsText, quote(verify), outcome, quote(reply), millis);
        if (meters != null) {
            meters.counter("relay.delivery.attempts", "source",
                    policy == null ? "none" : policy.source().label(), "outcome", metricOutcome(outcome)).increment();
            if (tls != null) {
                meters.counter("relay.delivery.tls.sessions", "protocol", tls.protocol()).increment();
            }
        }
    }

    /** The end of one {@code deliver} call. */
    void delivery(List<RecipientOutcome> outcomes, long startNanos) {
        if (meters == null) {
            return;
        }
        Duration d = Duration.ofNanos(System.nanoTime() - startNanos);
        Map<RecipientOutcome.Kind, Long> kinds = new TreeMap<>();
        outcomes.forEach(o -> kinds.merge(o.kind(), 1L, Long::sum));
        kinds.forEach((k, n) -> meters.timer("relay.delivery.latency", "outcome", k.name().toLowerCase(
                java.util.Locale.ROOT)).record(d));
    }

    /**
     * TLS reporting for a session under a DANE or MTA-STS policy (testing mode included): success when TLS was
     * up and the verifier passed, else the failure kind. Plaintext retries and non-TLS failures are not sessions.
     */
    void tlsSession(Route route, TlsInfo tls, TlsFailure failure, String detail) {
        TlsPolicy p = route.policy();
        if (route.plaintext() || (p.source() != PolicySource.DANE && p.source() != PolicySource.MTA_STS)) {
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

    /** Bounded tag values: {@code delivered}, {@code mixed} (some recipients not delivered), or the failure word. */
    private static String metricOutcome(String outcome) {
        if (!outcome.contains(":")) {
            return outcome;
        }
        return outcome.startsWith("delivered:") && !outcome.contains(",") ? "delivered" : "mixed";
    }

    private static String quote(String s) {
        return s == null ? "" : s.replace("\"", "'").replaceAll("[\\r\\n]", " ");
    }
}
