package io.stsdane.relay.smtp.inbound.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** The listener's meters. Thread-safe. */
public final class InboundMetrics {

    private static final String AUTH_FAILURES = "relay.inbound.auth.failures";
    private static final String AUTH_FAILURES_HELP = "failed SMTP AUTH attempts";

    private final MeterRegistry registry;
    private final Counter received;

    public InboundMetrics(MeterRegistry registry, AtomicInteger openSessions) {
        this.registry = registry;
        Gauge.builder("relay.inbound.sessions.open", openSessions, AtomicInteger::get)
                .description("SMTP sessions open on the listener").register(registry);
        this.received = Counter.builder("relay.inbound.messages.received")
                .description("messages accepted by the listener").register(registry);
        Counter.builder(AUTH_FAILURES).description(AUTH_FAILURES_HELP).register(registry);
    }

    void received() {
        received.increment();
    }

    /** A message or command refused, by reason such as {@code relay-denied}, {@code bare-lf}, {@code size}. */
    void rejected(String reason) {
        Counter.builder("relay.inbound.messages.rejected").description("messages and sessions refused, by reason")
                .tag("reason", reason).register(registry).increment();
    }

    void spf(String result) {
        Counter.builder("relay.inbound.spf").description("SPF checks of senders (server.spf-check), by result")
                .tag("result", result).register(registry).increment();
    }

    void authFailure() {
        Counter.builder(AUTH_FAILURES).description(AUTH_FAILURES_HELP).register(registry).increment();
    }
}
