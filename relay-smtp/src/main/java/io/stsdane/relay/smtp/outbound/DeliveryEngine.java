package io.stsdane.relay.smtp.outbound;

import io.micrometer.core.instrument.MeterRegistry;
import io.stsdane.relay.core.delivery.DeliveryAgent;
import io.stsdane.relay.core.delivery.DeliveryObserver;
import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.tls.TlsPolicySource;
import io.stsdane.relay.core.tls.TlsReporter;
import io.stsdane.relay.smtp.outbound.internal.DeliveryDispatcher;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Delivers messages over SMTP: MX routing (or a smart host), one TLS policy per MX host from the sources in
 * order (override, DANE, MTA-STS, else opportunistic), a Netty SMTP client that applies that policy and never
 * downgrades it, connection reuse and concurrency limits. See {@code docs/delivery.md}.
 *
 * <p>Thread-safe. {@link #deliver} never completes exceptionally and gives exactly one outcome per recipient.
 * Call {@link #close} once at shutdown.
 */
public final class DeliveryEngine implements DeliveryAgent, AutoCloseable {

    private final DeliveryDispatcher engine;

    /**
     * @param options delivery settings
     * @param dns the relay's DNSSEC-aware resolver
     * @param sources the policy sources in decision order, typically
     *     {@code [OverridePolicySource, DANE source, MTA-STS source]}
     * @param reporter receives the TLS outcome of sessions under a DANE or MTA-STS policy
     * @param meters metrics registry, or null for none
     */
    public DeliveryEngine(DeliveryOptions options, DnsResolver dns, List<TlsPolicySource> sources,
            TlsReporter reporter, MeterRegistry meters) {
        this(options, dns, sources, reporter, meters, DeliveryObserver.NONE);
    }

    /** As the other constructor; {@code observer} hears every attempt and every outcome as values. */
    public DeliveryEngine(DeliveryOptions options, DnsResolver dns, List<TlsPolicySource> sources,
            TlsReporter reporter, MeterRegistry meters, DeliveryObserver observer) {
        this.engine = new DeliveryDispatcher(Objects.requireNonNull(options, "options"), Objects.requireNonNull(dns, "dns"),
                List.copyOf(sources), Objects.requireNonNull(reporter, "reporter"), meters,
                Objects.requireNonNull(observer, "observer"));
    }

    @Override
    public CompletionStage<List<RecipientOutcome>> deliver(DeliveryRequest request) {
        return engine.deliver(request);
    }

    /** {@code epoll} when the native transport is available, else {@code nio}. */
    public String transport() {
        return engine.transportName();
    }

    /** Closes idle connections and stops the event loops; deliveries in flight are cut off. */
    @Override
    public void close() {
        engine.close();
    }
}
