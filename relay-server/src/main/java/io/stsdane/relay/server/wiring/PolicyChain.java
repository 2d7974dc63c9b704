package io.stsdane.relay.server.wiring;

import io.micrometer.core.instrument.MeterRegistry;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.pki.PkixVerifier;
import io.stsdane.relay.core.tls.TlsPolicySource;
import io.stsdane.relay.dane.DanePolicySource;
import io.stsdane.relay.server.config.RelayConfig;
import io.stsdane.relay.smtp.outbound.OverridePolicySource;
import io.stsdane.relay.sts.MtaSts;
import io.stsdane.relay.sts.PolicyStore;
import io.stsdane.relay.sts.StsPolicySource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

/**
 * The relay's TLS policy sources, built once from the configuration for both the delivery engine and
 * {@code relay check}, so the diagnostic can never disagree with delivery about which sources apply and in
 * which order: local override, DANE (RFC 7672), MTA-STS (RFC 8461, which never overrides DANE: its §2);
 * opportunistic STARTTLS only when none applies.
 *
 * <p>The caller owns {@link #mtaSts()} and closes it. Immutable; the sources themselves are thread-safe.
 *
 * @param override the {@code policies:} section
 * @param dane DANE (RFC 7672)
 * @param mtaSts MTA-STS (RFC 8461); empty when {@code mta-sts.enabled} is false
 * @param smartHostCredentials with {@code delivery.smarthost-auth}: verified TLS to the smart host before the
 *     password is sent, when DANE and MTA-STS do not authenticate it
 */
public record PolicyChain(OverridePolicySource override, DanePolicySource dane, Optional<StsPolicySource> mtaSts,
        Optional<TlsPolicySource> smartHostCredentials) {

    /**
     * @param http the relay's base HTTP client ({@link OutboundHttp}), which MTA-STS fetches derive theirs from
     * @param stsCacheDirectory where MTA-STS policies are cached (the spool's {@code mta-sts} directory for
     *     the running relay; a scratch directory for a diagnostic that must not disturb it)
     * @param registry where MTA-STS fetches are counted; null for none
     */
    public static PolicyChain build(RelayConfig config, DnsResolver dns, X509TrustManager trust, OkHttpClient http,
            Path stsCacheDirectory, MeterRegistry registry) {
        return build(config, dns, trust, http, PolicyStore.directory(stsCacheDirectory), registry);
    }

    /**
     * @param http the relay's base HTTP client ({@link OutboundHttp}), which MTA-STS fetches derive theirs from
     * @param stsStore where MTA-STS policies persist: the spool's {@code mta-sts} directory, or the database
     *     shared by the cluster ({@code spool.backend: postgres}); the caller closes it after {@link #mtaSts()}
     * @param registry where MTA-STS fetches are counted; null for none
     */
    public static PolicyChain build(RelayConfig config, DnsResolver dns, X509TrustManager trust, OkHttpClient http,
            PolicyStore stsStore, MeterRegistry registry) {
        DanePolicySource dane = new DanePolicySource(dns);
        OverridePolicySource override = new OverridePolicySource(config.policies(), dane,
                mx -> PkixVerifier.forHost(trust, mx));
        Optional<StsPolicySource> sts = Optional.empty();
        if (config.mtaSts().enabled()) {
            MtaSts.Builder b = MtaSts.builder()
                    .resolver(dns)
                    .httpClient(http)
                    .policyStore(stsStore)
                    .trustManager(trust)
                    .httpsPort(config.mtaSts().httpsPort());
            if (registry != null) {
                b.meterRegistry(registry);
            }
            sts = Optional.of(b.build());
        }
        Optional<TlsPolicySource> credentials = config.delivery().smarthostAuth().isPresent()
                ? config.delivery().smarthost().map(h -> new SmartHostCredentialsPolicy(h.host(), trust))
                : Optional.empty();
        return new PolicyChain(override, dane, sts, credentials);
    }

    /** The sources in the order the delivery engine consults them. */
    public List<TlsPolicySource> inOrder() {
        List<TlsPolicySource> sources = new ArrayList<>(List.of(override, dane));
        mtaSts.ifPresent(sources::add);
        smartHostCredentials.ifPresent(sources::add);
        return List.copyOf(sources);
    }
}
