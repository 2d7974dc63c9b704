package io.stsdane.relay.smtp.outbound.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
import io.stsdane.relay.core.util.LogText;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
    private final MeterRegistry meters;
    private final DeliveryObserver observer;

    private static final String ATTEMPTS = "relay.delivery.attempts";
    private static final String ATTEMPTS_HELP = "delivery attempts by policy source and outcome";
    private static final String TLS_SESSIONS = "relay.delivery.tls.sessions";
    private static final String TLS_SESSIONS_HELP = "outbound TLS sessions by protocol version";
    /** The outcome tag values ({@link #metricOutcome}) besides the lower-case {@link RecipientOutcome.Kind}s. */
    private static final List<String> OUTCOMES = List.of("delivered", "mixed", "failed", "deferred", "bounced");

    AttemptLog(TlsReporter reporter, MeterRegistry meters, DeliveryObserver observer) {
        this.reporter = reporter;
        this.meters = meters;
        this.observer = observer;
        if (meters != null) {
            // The series with known tag values exist from start-up, at zero, for dashboards and alerts.
            for (String outcome : OUTCOMES) {
                attempts("none", outcome);
                for (PolicyOrigin source : PolicyOrigin.values()) {
                    attempts(source.label(), outcome);
                }
            }
            tlsSessions("TLSv1.2");
            tlsSessions("TLSv1.3");
            for (RecipientOutcome.Kind k : RecipientOutcome.Kind.values()) {
                latency(k);
            }
        }
    }

    private Counter attempts(String source, String outcome) {
        return Counter.builder(ATTEMPTS).description(ATTEMPTS_HELP)
                .tag("source", source).tag("outcome", outcome).register(meters);
    }

    private Counter tlsSessions(String protocol) {
        return Counter.builder(TLS_SESSIONS).description(TLS_SESSIONS_HELP)
                .tag("protocol", protocol).register(meters);
    }

    private Timer latency(RecipientOutcome.Kind kind) {
        return Timer.builder("relay.delivery.latency")
                .description("time from the start of a delivery run to its end")
                .tag("outcome", kind.name().toLowerCase(java.util.Locale.ROOT))
                .publishPercentileHistogram()
                .register(meters);
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
            LOG.info(new JsonLine()
                    .field("time", a.time().toString())
                    .field("queue", a.id().toString())
                    .field("domain", a.domain())
                    .field("mx", a.mxHost())
                    .field("ip", a.address())
                    .field("policy_source", a.policySource() == null ? null : a.policySource().label())
                    .field("policy_level", a.policyLevel() == null ? null : a.policyLevel().configName())
                    .field("plaintext_retry", a.plaintextRetry())
                    .field("tls_protocol", a.tlsProtocol())
                    .field("tls_cipher", a.tlsCipher())
                    .field("verified", a.verified())
                    .field("verification", a.verification())
                    .field("outcome", a.outcome())
                    .field("reply", a.reply())
                    .field("duration_ms", a.durationMillis())
                    .field("dkim", req.envelope().dkimSignatures().isEmpty() ? null
                            : req.envelope().dkimSignatures().stream().map(Object::toString)
                                    .collect(java.util.stream.Collectors.joining(", ")))
                    .toString());
        }
        if (meters != null) {
            attempts(policy == null ? "none" : sourceLabel(policy), metricOutcome(outcome)).increment();
            if (tls != null) {
                tlsSessions(tls.protocol()).increment();
            }
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
        if (meters == null) {
            return;
        }
        Duration d = Duration.ofNanos(System.nanoTime() - startNanos);
        Map<RecipientOutcome.Kind, Long> kinds = new TreeMap<>();
        outcomes.forEach(o -> kinds.merge(o.kind(), 1L, Long::sum));
        kinds.forEach((k, n) -> latency(k).record(d));
    }

    /** A flat JSON object built field by field; strings escaped as RFC 8259 §7 requires. Not thread-safe. */
    private static final class JsonLine {

        private final StringBuilder sb = new StringBuilder("{");

        JsonLine field(String name, Object value) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            string(name);
            sb.append(':');
            if (value == null) {
                sb.append("null");
            } else if (value instanceof Boolean || value instanceof Number) {
                sb.append(value);
            } else {
                string(value.toString());
            }
            return this;
        }

        private void string(String s) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        // The same characters LogText escapes in plain log lines, as JSON escapes.
                        if (LogText.unsafe(c)) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }

        @Override
        public String toString() {
            return sb + "}";
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

    private static String sourceLabel(TlsPolicy policy) {
        return policy == null ? null : policy.source().label();
    }

    /** Bounded tag values: {@code delivered}, {@code mixed} (some recipients not delivered), or the failure word. */
    private static String metricOutcome(String outcome) {
        if (!outcome.contains(":")) {
            return outcome;
        }
        return outcome.startsWith("delivered:") && !outcome.contains(",") ? "delivered" : "mixed";
    }
}
