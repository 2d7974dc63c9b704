package io.stsdane.relay.server.wiring;

import io.stsdane.relay.core.delivery.DeliveryAgent;
import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Breaks the one construction cycle of the relay: the queue needs a delivery agent, the delivery engine needs
 * the TLS reporter, and TLS reporting sends its reports through the queue. The queue gets this agent, which is
 * bound to the engine before the queue starts scheduling. Thread-safe after {@link #bind}.
 */
final class ForwardingDeliveryAgent implements DeliveryAgent {

    private volatile DeliveryAgent target;

    void bind(DeliveryAgent agent) {
        this.target = Objects.requireNonNull(agent, "agent");
    }

    @Override
    public CompletionStage<List<RecipientOutcome>> deliver(DeliveryRequest request) {
        DeliveryAgent t = target;
        if (t == null) {
            throw new IllegalStateException("delivery agent used before the relay was assembled");
        }
        return t.deliver(request);
    }
}
