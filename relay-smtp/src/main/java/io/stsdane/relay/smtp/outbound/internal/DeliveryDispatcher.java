package io.stsdane.relay.smtp.outbound.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.stsdane.relay.core.delivery.DeliveryObserver;
import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.OutcomeScope;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.tls.TlsPolicySource;
import io.stsdane.relay.core.tls.TlsReporter;
import io.stsdane.relay.core.util.Throwables;
import io.stsdane.relay.smtp.outbound.AddressSelection;
import io.stsdane.relay.smtp.outbound.DeliveryOptions;
import io.stsdane.relay.smtp.outbound.HostPolicyResolver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts behind {@code DeliveryEngine}: owns the event loops, the pool and the limits, and turns every
 * request into exactly one outcome per recipient, whatever happens. Thread-safe.
 */
public final class DeliveryDispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryDispatcher.class);

    private final Transport transport;
    private final DeliveryParts parts;
    private final ConcurrencyLimits limits;
    private final String smartHostDestination;

    public DeliveryDispatcher(DeliveryOptions options, DnsResolver dns, List<TlsPolicySource> sources, TlsReporter reporter,
            MeterRegistry meters, DeliveryObserver observer) {
        this.transport = Transport.create(Math.max(2, Runtime.getRuntime().availableProcessors()));
        RoutePlanner planner = new RoutePlanner(dns, options.smartHost(), options.hostsFile(), options.port(),
                options.heloName(), new Random());
        this.parts = new DeliveryParts(options, dns, planner, AddressSelection.of(options),
                new HostPolicyResolver(sources, options.timeouts().command()),
                new SmtpConnector(transport, options),
                new ConnectionPool(options.idleTimeout(), options.messagesPerConnection()),
                new RouteDatabase(options.failedRouteMemory(), Clock.systemUTC()),
                new AttemptLog(reporter, meters, observer),
                new RequireTlsRule(options.trust()));
        this.limits = new ConcurrencyLimits(options.maxConnections(), options.maxPerDestination());
        this.smartHostDestination = options.smartHost() == null ? null : "smarthost:" + options.smartHost().host();
        LOG.debug("delivery engine using the {} transport", transport.name());
    }

    /** The transport in use: {@code epoll} or {@code nio}. */
    public String transportName() {
        return transport.name();
    }

    public CompletionStage<List<RecipientOutcome>> deliver(DeliveryRequest request) {
        long start = System.nanoTime();
        String destination = smartHostDestination != null ? smartHostDestination : request.domain();
        CompletableFuture<List<RecipientOutcome>> result = new CompletableFuture<>();
        limits.acquire(destination).thenAccept(permit -> {
            CompletableFuture<List<RecipientOutcome>> run;
            try {
                run = new DeliveryRun(parts, request).run();
            } catch (RuntimeException e) {
                run = CompletableFuture.failedFuture(e);
            }
            run.whenComplete((outcomes, e) -> {
                permit.release();
                List<RecipientOutcome> complete = completeOutcomes(request, outcomes, e);
                parts.log().delivery(request, complete, start);
                result.complete(complete);
            });
        });
        return result;
    }

    /**
     * Exactly one outcome per requested recipient (the contract of {@code DeliveryAgent}); a bug or a missing
     * outcome defers the recipient rather than losing it.
     */
    private static List<RecipientOutcome> completeOutcomes(DeliveryRequest request, List<RecipientOutcome> outcomes,
            Throwable error) {
        if (error != null) {
            LOG.error("delivery of {} to {} failed unexpectedly; deferring", request.id(), request.domain(), error);
        }
        Map<Recipient, RecipientOutcome> byRecipient = new HashMap<>();
        if (outcomes != null) {
            outcomes.forEach(o -> byRecipient.putIfAbsent(o.recipient(), o));
        }
        List<RecipientOutcome> out = new ArrayList<>();
        for (Recipient r : request.recipients()) {
            RecipientOutcome o = byRecipient.get(r);
            out.add(o != null ? o : RecipientOutcome.deferred(r, OutcomeScope.MESSAGE, "4.3.0",
                    "internal error in the delivery engine: "
                    + (error == null ? "no outcome" : Throwables.rootMessage(error)), ""));
        }
        return out;
    }

    @Override
    public void close() {
        parts.pool().close();
        transport.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
