package io.stsdane.relay.core.util;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocking on an asynchronous result, for the few callers that must (an OkHttp {@code Dns}, a health check). */
public final class Futures {

    private Futures() {
    }

    /**
     * Waits up to {@code timeout} for {@code stage}. An interrupt ends the wait like the timeout does, with the
     * thread's interrupt flag set again.
     *
     * @throws TimeoutException when no result came in time ("no answer within 10s") or the wait was interrupted
     *     ("interrupted")
     * @throws CompletionException when the stage failed; its cause is the stage's failure
     */
    public static <T> T await(CompletionStage<T> stage, Duration timeout) throws TimeoutException {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimeoutException("interrupted");
        } catch (TimeoutException e) {
            throw new TimeoutException("no answer within " + text(timeout));
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        }
    }

    private static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + " ms";
    }
}
