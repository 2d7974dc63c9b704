package io.stsdane.relay.core.delivery;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Delivers one message to the recipients of one domain: routing, TLS policy, SMTP.
 *
 * <p>The stage completes with exactly one outcome per recipient of the request and never completes
 * exceptionally; should it still do so, the caller treats every recipient as deferred. Each failed outcome says
 * its {@link OutcomeScope}: the queue holds the whole destination back only for a
 * {@link OutcomeScope#DESTINATION} failure, never for one recipient's. Thread-safe.
 */
public interface DeliveryAgent {

    CompletionStage<List<RecipientOutcome>> deliver(DeliveryRequest request);
}
