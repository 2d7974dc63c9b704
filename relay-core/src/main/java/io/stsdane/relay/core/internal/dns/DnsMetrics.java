package io.stsdane.relay.core.internal.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stsdane.relay.core.dns.DnsResult;
import java.util.Locale;
import org.xbill.DNS.Type;

/**
 * Counts answered DNS lookups as {@code relay.dns.lookups{type, status, security}}: one per answer fetched from
 * the network (cache hits are not lookups). All tag values come from small enums and dnsjava's type names, so
 * the series stay bounded. Thread-safe.
 */
final class DnsMetrics {

    static final String LOOKUPS = "relay.dns.lookups";

    /** Counts nothing: for resolvers built without a registry. */
    static final DnsMetrics NONE = new DnsMetrics(null);

    private final MeterRegistry registry;

    DnsMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void answered(int type, DnsResult<?> result) {
        if (registry == null) {
            return;
        }
        Counter.builder(LOOKUPS)
                .description("DNS lookups sent (cache misses) by record type, answer status and DNSSEC state")
                .tag("type", Type.string(type))
                .tag("status", result.status().name().toLowerCase(Locale.ROOT))
                .tag("security", result.security().name().toLowerCase(Locale.ROOT))
                .register(registry)
                .increment();
    }
}
