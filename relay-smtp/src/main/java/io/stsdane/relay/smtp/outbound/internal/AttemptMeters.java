package io.stsdane.relay.smtp.outbound.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsPolicy;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The delivery meters: attempts by policy source and outcome, TLS sessions by protocol, and delivery latency by
 * recipient outcome. Each meter is registered once, when its tag values first occur, and kept, so counting an
 * attempt is a map lookup and an increment rather than a registration. Thread-safe.
 */
final class AttemptMeters {

    private static final String ATTEMPTS = "relay.delivery.attempts";
    private static final String ATTEMPTS_HELP = "delivery attempts by policy source and outcome";
    private static final String TLS_SESSIONS = "relay.delivery.tls.sessions";
    private static final String TLS_SESSIONS_HELP = "outbound TLS sessions by protocol version";
    private static final String NO_POLICY = "none";
    /** The outcome tag values ({@link #metricOutcome}) besides the lower-case {@link RecipientOutcome.Kind}s. */
    private static final List<String> OUTCOMES = List.of("delivered", "mixed", "failed", "deferred", "bounced");

    private final MeterRegistry registry;
    /** By source label, then outcome tag value. */
    private final ConcurrentMap<String, ConcurrentMap<String, Counter>> attempts = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> tlsSessions = new ConcurrentHashMap<>();
    private final Map<RecipientOutcome.Kind, Timer> latency = new EnumMap<>(RecipientOutcome.Kind.class);

    AttemptMeters(MeterRegistry registry) {
        this.registry = registry;
        // The series with known tag values exist from start-up, at zero, for dashboards and alerts.
        for (String outcome : OUTCOMES) {
            attempts(NO_POLICY, outcome);
            for (PolicyOrigin source : PolicyOrigin.values()) {
                attempts(source.label(), outcome);
            }
        }
        tlsSessions("TLSv1.2");
        tlsSessions("TLSv1.3");
        for (RecipientOutcome.Kind k : RecipientOutcome.Kind.values()) {
            latency.put(k, Timer.builder("relay.delivery.latency")
                    .description("time from the start of a delivery run to its end")
                    .tag("outcome", k.name().toLowerCase(Locale.ROOT))
                    .publishPercentileHistogram()
                    .register(registry));
        }
    }

    /** One attempt under {@code policy} (null when none was decided); {@code tlsProtocol} null without TLS. */
    void attempt(TlsPolicy policy, String outcome, String tlsProtocol) {
        attempts(policy == null ? NO_POLICY : policy.source().label(), metricOutcome(outcome)).increment();
        if (tlsProtocol != null) {
            tlsSessions(tlsProtocol).increment();
        }
    }

    /** One delivery that took {@code d} and ended with these outcomes: one sample per outcome kind among them. */
    void delivery(List<RecipientOutcome> outcomes, Duration d) {
        boolean[] seen = new boolean[RecipientOutcome.Kind.values().length];
        for (RecipientOutcome o : outcomes) {
            seen[o.kind().ordinal()] = true;
        }
        latency.forEach((k, timer) -> {
            if (seen[k.ordinal()]) {
                timer.record(d);
            }
        });
    }

    private Counter attempts(String source, String outcome) {
        return attempts.computeIfAbsent(source, s -> new ConcurrentHashMap<>()).computeIfAbsent(outcome,
                o -> Counter.builder(ATTEMPTS).description(ATTEMPTS_HELP)
                        .tag("source", source).tag("outcome", o).register(registry));
    }

    private Counter tlsSessions(String protocol) {
        return tlsSessions.computeIfAbsent(protocol, p -> Counter.builder(TLS_SESSIONS).description(TLS_SESSIONS_HELP)
                .tag("protocol", p).register(registry));
    }

    /** Bounded tag values: {@code delivered}, {@code mixed} (some recipients not delivered), or the failure word. */
    private static String metricOutcome(String outcome) {
        if (!outcome.contains(":")) {
            return outcome;
        }
        return outcome.startsWith("delivered:") && !outcome.contains(",") ? "delivered" : "mixed";
    }
}
