package io.stsdane.relay.server.config;

import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.dkim.DkimSettings;
import java.util.Map;
import java.util.Objects;

/**
 * The whole, validated configuration: one immutable record per section of {@code relay.yaml}.
 * Built only by {@link ConfigLoader}; every value has been checked, defaults are filled in.
 *
 * @param policies per destination domain (canonical, lower case) overrides of the TLS level
 * @param dkim what the relay signs at intake ({@code dkim:}); signs nothing when no domain is configured
 */
public record RelayConfig(
        ServerConfig server,
        SpoolConfig spool,
        DnsOptions dns,
        DeliveryConfig delivery,
        TlsConfig tls,
        MtaStsConfig mtaSts,
        Map<String, TlsLevel> policies,
        AdminConfig admin,
        TlsReportingConfig tlsReporting,
        DkimSettings dkim) {

    public RelayConfig {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(spool, "spool");
        Objects.requireNonNull(dns, "dns");
        Objects.requireNonNull(delivery, "delivery");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(mtaSts, "mtaSts");
        policies = Map.copyOf(policies);
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(tlsReporting, "tlsReporting");
        Objects.requireNonNull(dkim, "dkim");
    }
}
