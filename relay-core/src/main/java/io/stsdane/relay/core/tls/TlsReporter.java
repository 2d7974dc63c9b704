package io.stsdane.relay.core.tls;

/** Receives the TLS outcome of every delivery session (TLS reporting, metrics). Thread-safe, never blocks. */
@FunctionalInterface
public interface TlsReporter {

    void record(TlsSessionResult result);

    TlsReporter NONE = result -> { };
}
