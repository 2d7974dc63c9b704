package io.stsdane.relay.server.wiring;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.server.config.RelayConfig;
import io.stsdane.relay.smtp.outbound.DeliveryOptions;
import io.stsdane.relay.sts.StsPolicySource;
import java.nio.file.Path;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

/**
 * What {@code relay check} judges a destination with, built as the running relay builds it for delivery: the
 * resolver, the {@link PolicyChain} and the delivery engine's options (address selection, smart host, hosts
 * file). Close it to close the MTA-STS source.
 *
 * @param dns the relay's resolver for the {@code dns:} settings
 * @param policies the policy sources in delivery's order
 * @param delivery the delivery engine's options; its EHLO name is {@code delivery.helo}, else
 *     {@code server.hostname}, else {@code localhost}
 * @param http the base HTTP client the MTA-STS source derives its own from (as {@link OutboundHttp} builds it)
 */
public record CheckParts(DnsResolver dns, PolicyChain policies, DeliveryOptions delivery, OkHttpClient http)
        implements AutoCloseable {

    /**
     * @param stsCache where MTA-STS policies are cached: a scratch directory, so that the check shows what the
     *     domain publishes now and leaves the running relay's cache alone
     */
    public static CheckParts build(RelayConfig config, DnsResolver dns, Path stsCache) {
        X509TrustManager trust = ModuleComponents.trustManager(config);
        String helo = config.delivery().helo().or(() -> config.server().hostname()).orElse("localhost");
        OkHttpClient http = OutboundHttp.client(dns);
        return new CheckParts(dns, PolicyChain.build(config, dns, trust, http, stsCache, null),
                ModuleComponents.deliveryOptions(config, helo, trust), http);
    }

    @Override
    public void close() {
        policies.mtaSts().ifPresent(StsPolicySource::close);
        OutboundHttp.shutdown(http);
    }
}
