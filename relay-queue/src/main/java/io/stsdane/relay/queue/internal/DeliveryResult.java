package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.delivery.RecipientOutcome;
import java.time.Instant;

/** What one delivery round did for one recipient (by its index in the envelope). */
sealed interface DeliveryResult {

    int index();

    /** The delivery agent tried it. */
    record Attempted(int index, RecipientOutcome outcome) implements DeliveryResult {
    }

    /** Not tried: its domain is backed off until {@code until}. */
    record Postponed(int index, Instant until) implements DeliveryResult {
    }
}
