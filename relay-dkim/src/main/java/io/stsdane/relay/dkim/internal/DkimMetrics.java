package io.stsdane.relay.dkim.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stsdane.relay.dkim.DkimDomain;
import io.stsdane.relay.dkim.DkimKey;
import io.stsdane.relay.dkim.DkimSettings;

/**
 * {@code relay_dkim_signed_total{domain,algorithm}} and {@code relay_dkim_failures_total{domain,reason}}, every
 * series of a configured domain registered at start-up so that dashboards and alerts see zeros, not gaps.
 * Thread-safe.
 */
final class DkimMetrics {

    /** A configured domain's mail that the sender may not have signed: passed on unsigned. */
    static final String NOT_ALLOWED = "sender-not-allowed";
    /** Signing failed (key, disk): the message was refused with a temporary error. */
    static final String ERROR = "error";

    private final MeterRegistry registry;

    DkimMetrics(MeterRegistry registry, DkimSettings settings) {
        this.registry = registry;
        for (DkimDomain d : settings.domains().values()) {
            for (DkimKey k : d.keys()) {
                signed(d.domain(), k);
            }
            failure(d.domain(), NOT_ALLOWED);
            failure(d.domain(), ERROR);
        }
    }

    private Counter signed(String domain, DkimKey key) {
        return Counter.builder("relay.dkim.signed").description("DKIM signatures added at intake")
                .tag("domain", domain).tag("algorithm", key.algorithm().tag()).register(registry);
    }

    private Counter failure(String domain, String reason) {
        return Counter.builder("relay.dkim.failures")
                .description("messages of a DKIM signing domain that were not signed, by reason")
                .tag("domain", domain).tag("reason", reason).register(registry);
    }

    void countSigned(String domain, DkimKey key) {
        signed(domain, key).increment();
    }

    void countFailure(String domain, String reason) {
        failure(domain, reason).increment();
    }
}
