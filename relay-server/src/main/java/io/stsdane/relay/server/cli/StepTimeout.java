package io.stsdane.relay.server.cli;

import io.stsdane.relay.core.util.Futures;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * How long one step of {@code relay check} (a lookup, a policy decision) may take: a stuck step becomes a
 * visible failure instead of a hanging command. Immutable.
 */
record StepTimeout(Duration timeout) {

    /** Waits for a stage that never completes exceptionally by contract; a stuck one becomes {@code onTimeout}. */
    <T> T await(CompletionStage<T> stage, Supplier<T> onTimeout) {
        try {
            return Futures.await(stage, timeout);
        } catch (TimeoutException e) {
            return onTimeout.get();
        } catch (CompletionException e) {
            throw new IllegalStateException("a lookup failed unexpectedly: " + e.getCause(), e.getCause());
        }
    }

    /** The reason given for a step that timed out. */
    String late() {
        return "no answer within " + timeout.toSeconds() + "s";
    }
}
