package io.stsdane.relay.smtp.inbound.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** The listener's meters. Thread-safe. */
public final class InboundMetrics {

    private final MeterRegistry registry;
    private final Counter received;

    public InboundMetrics(MeterRegistry registry, AtomicInteger openSessions) {
        this.registry = registry;
        registry.gauge("relay.inbound.sessions.open", openSessions);
        this.received = registry.counter("relay.inbound.messages.received");
    }

    void received() {
        received.increment();
    }

    /** A message or command refused, by reason such as {@code relay-denied}, {@code bare-lf}, {@code size}. */
    void rejected(String reason) {
        registry.counter("relay.inbound.messages.rejected", "reason", reason).increment();
    }

    void spf(String result) {
        registry.counter("relay.inbound.spf", "result", result).increment();
    }

    void authFailure() {
        registry.counter("relay.inbound.auth.failures").increment();
    }
}
