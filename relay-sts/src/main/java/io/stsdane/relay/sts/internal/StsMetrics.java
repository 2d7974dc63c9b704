package io.stsdane.relay.sts.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stsdane.relay.core.tls.TlsFailure;

/**
 * Counts policy fetches by result ({@code relay.mta_sts.fetches{result=ok|postponed|<RFC 8460 result type>}}).
 * Without a registry nothing is recorded. Thread-safe.
 */
public final class StsMetrics {

    static final String FETCHES = "relay.mta_sts.fetches";

    private final MeterRegistry registry;

    /** @param registry where to record, or null for none */
    public StsMetrics(MeterRegistry registry) {
        this.registry = registry;
        if (registry != null) {
            // Every result from start-up, at zero, so dashboards and alerts see the series before the first fetch.
            counter("ok");
            counter("postponed");
            for (TlsFailure f : TlsFailure.values()) {
                counter(f.resultType());
            }
        }
    }

    void fetchSucceeded() {
        count("ok");
    }

    void fetchFailed(TlsFailure failure) {
        count(failure.resultType());
    }

    void fetchPostponed() {
        count("postponed");
    }

    private void count(String result) {
        if (registry != null) {
            counter(result).increment();
        }
    }

    private Counter counter(String result) {
        return Counter.builder(FETCHES).description("MTA-STS policy fetches by result").tag("result", result)
                .register(registry);
    }
}
