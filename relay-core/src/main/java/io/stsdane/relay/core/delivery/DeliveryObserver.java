package io.stsdane.relay.core.delivery;

import java.util.List;

/**
 * Hears what the delivery engine did, as the same values the delivery log is written from: every
 * {@link DeliveryAttempt}, then the outcome of the whole {@link DeliveryAgent#deliver} call. For embedding the
 * relay (tests of an application, monitoring); the relay itself needs none ({@link #NONE}).
 *
 * <p>Called from the engine's I/O threads: implementations must be thread-safe, quick and never block. An
 * exception thrown by an observer is logged and otherwise ignored.
 */
public interface DeliveryObserver {

    DeliveryObserver NONE = new DeliveryObserver() {
        @Override
        public void attempted(DeliveryRequest request, DeliveryAttempt attempt) {
        }

        @Override
        public void concluded(DeliveryRequest request, List<RecipientOutcome> outcomes) {
        }
    };

    /** One attempt for {@code request}, after it ended. */
    void attempted(DeliveryRequest request, DeliveryAttempt attempt);

    /**
     * The end of one delivery of {@code request}: one outcome per recipient, before the queue acts on them (so
     * {@code request.content()} can still be read, briefly).
     */
    void concluded(DeliveryRequest request, List<RecipientOutcome> outcomes);
}
