package io.stsdane.relay.dns.internal;

import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The executor the relay hands to dnsjava with one query, doubling as the record of the server failures met while
 * answering it. dnsjava's {@code ValidatingResolver} passes the caller's executor on to every query it makes on the
 * way (DS, DNSKEY), so {@link ServerFailureGuard} can note a failed one here.
 *
 * <p>Why it is needed: when a key lookup fails while the validator checks a negative answer (NODATA), dnsjava 3.6
 * drops the failure and returns the answer unvalidated, without AD, which would read as INSECURE: a downgrade an
 * on-path attacker could provoke by dropping the DS or DNSKEY query. A recorded failure makes such an answer
 * INDETERMINATE instead.
 *
 * <p>Thread-safe.
 */
final class QueryFailures implements Executor {

    private final Executor delegate;
    private final AtomicReference<String> first = new AtomicReference<>();

    QueryFailures(Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
        delegate.execute(task);
    }

    /** Keeps the first failure: later ones usually follow from it. */
    void record(String failure) {
        first.compareAndSet(null, failure);
    }

    Optional<String> first() {
        return Optional.ofNullable(first.get());
    }
}
