package io.stsdane.relay.dns.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import java.util.Locale;
import org.xbill.DNS.Type;

/**
 * Counts answered DNS lookups as {@code relay.dns.lookups{type, status, security}}: one per answer fetched from
 * the network (cache hits are not lookups). All tag values come from small enums and dnsjava's type names, so
 * the series stay bounded; those of the types the relay asks for are registered at zero when the resolver is
 * built, so dashboards see them before the first lookup. Thread-safe.
 */
final class DnsMetrics {

    static final String LOOKUPS = "relay.dns.lookups";

    /** The record types the relay asks for: their series exist from start-up, at zero. */
    private static final int[] TYPES = {Type.MX, Type.A, Type.AAAA, Type.TLSA, Type.TXT, Type.PTR, Type.CNAME};

    /** Counts nothing: for resolvers built without a registry. */
    static final DnsMetrics NONE = new DnsMetrics(null);

    private final MeterRegistry registry;

    DnsMetrics(MeterRegistry registry) {
        this.registry = registry;
        if (registry != null) {
            for (int type : TYPES) {
                for (DnsStatus status : DnsStatus.values()) {
                    for (DnsSecurity security : DnsSecurity.values()) {
                        counter(type, status, security);
                    }
                }
            }
        }
    }

    void answered(int type, DnsResult<?> result) {
        if (registry != null) {
            counter(type, result.status(), result.security()).increment();
        }
    }

    private Counter counter(int type, DnsStatus status, DnsSecurity security) {
        return Counter.builder(LOOKUPS)
                .description("DNS lookups sent (cache misses) by record type, answer status and DNSSEC state")
                .tag("type", Type.string(type))
                .tag("status", status.name().toLowerCase(Locale.ROOT))
                .tag("security", security.name().toLowerCase(Locale.ROOT))
                .register(registry);
    }
}
