package io.stsdane.relay.sts.internal;

import java.util.List;

/**
 * What the TXT records at {@code _mta-sts.<domain>} announce (RFC 8461 §3.1). Immutable values, produced by
 * {@link TxtRecords#discover}.
 */
public sealed interface TxtDiscovery {

    List<String> records();

    /** Exactly one valid {@code v=STSv1} record, with its {@code id}. */
    record Announced(String id, List<String> records) implements TxtDiscovery {
        public Announced {
            records = List.copyOf(records);
        }
    }

    /** No usable announcement (none, several, invalid, or the lookup failed); {@code reason} says which. */
    record NotAnnounced(String reason, List<String> records) implements TxtDiscovery {
        public NotAnnounced {
            records = List.copyOf(records);
        }
    }
}
