package io.stsdane.relay.server.cli;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return onTimeout.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return onTimeout.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a lookup failed unexpectedly: " + e.getCause(), e.getCause());
        }
    }

    /** The reason given for a step that timed out. */
    String late() {
        return "no answer within " + timeout.toSeconds() + "s";
    }
}
