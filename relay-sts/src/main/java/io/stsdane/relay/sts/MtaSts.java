package io.stsdane.relay.sts;

import io.micrometer.core.instrument.MeterRegistry;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.pki.TrustStores;
import io.stsdane.relay.sts.internal.DefaultStsPolicySource;
import io.stsdane.relay.sts.internal.FetchBackoff;
import io.stsdane.relay.sts.internal.HttpClients;
import io.stsdane.relay.sts.internal.PolicyCache;
import io.stsdane.relay.sts.internal.PolicyFetcher;
import io.stsdane.relay.sts.internal.StsDecider;
import io.stsdane.relay.sts.internal.StsMetrics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

/**
 * Builds the MTA-STS policy source.
 *
 * <pre>{@code
 * StsPolicySource sts = MtaSts.builder()
 *         .resolver(dnsResolver)                          // required
 *         .httpClient(base)                               // required: resolves through dnsResolver
 *         .cacheDirectory(spoolDir.resolve("mta-sts"))    // required, or .policyStore(shared)
 *         .trustManager(TrustStores.load(caFileOrNull))   // default: the JDK trust store
 *         .httpsPort(443)                                 // mta-sts.https-port
 *         .build();
 * }</pre>
 */
public final class MtaSts {

    private MtaSts() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Options are checked when set; {@link #build()} fills in the defaults. Not thread-safe: configure it on one
     * thread. The built source is thread-safe.
     */
    public static final class Builder {
        private DnsResolver resolver;
        private OkHttpClient httpClient;
        private Path cacheDirectory;
        private PolicyStore policyStore;
        private X509TrustManager trustManager;
        private int httpsPort = 443;
        private Clock clock = Clock.systemUTC();
        private Duration fetchTimeout = Duration.ofSeconds(60);
        private Duration backoffInitial = Duration.ofMinutes(5);
        private Duration backoffMax = Duration.ofHours(1);
        private Duration refreshInterval = Duration.ofHours(1);
        private Duration maxRefreshMargin = Duration.ofDays(1);
        private long maxDomainsInMemory = 10_000;
        private boolean deferWhenPolicyUnavailable;
        private MeterRegistry meterRegistry;

        private Builder() {
        }

        /** The relay's DNS layer: TXT discovery and the policy host's addresses both go through it. */
        public Builder resolver(DnsResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * The relay's base HTTP client, which must resolve host names through the relay's resolver (RFC 8461
         * §3.3: the policy host is never resolved around it). Fetches use a client derived from it
         * ({@link OkHttpClient#newBuilder()}: this builder's trust and fetch timeout, no redirects, no proxy) and
         * share its connection pool and threads; its owner shuts it down, after {@link StsPolicySource#close()}.
         */
        public Builder httpClient(OkHttpClient base) {
            this.httpClient = Objects.requireNonNull(base, "httpClient");
            return this;
        }

        /** Where policies are persisted; the server passes {@code <spool.dir>/mta-sts}. Created if missing. */
        public Builder cacheDirectory(Path dir) {
            this.cacheDirectory = Objects.requireNonNull(dir, "cacheDirectory");
            return this;
        }

        /**
         * Where policies are persisted instead of a directory: a store shared by several relay nodes, so that a
         * policy fetched by one is enforced by all. Exclusive with {@link #cacheDirectory}.
         */
        public Builder policyStore(PolicyStore store) {
            this.policyStore = Objects.requireNonNull(store, "policyStore");
            return this;
        }

        /** Trust anchors for the policy host and for MX certificates ({@code tls.ca-file}); default the JDK's. */
        public Builder trustManager(X509TrustManager trust) {
            this.trustManager = Objects.requireNonNull(trust, "trustManager");
            return this;
        }

        /** {@code mta-sts.https-port}: 443 except in tests. */
        public Builder httpsPort(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("httpsPort must be 1-65535, got " + port);
            }
            this.httpsPort = port;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Bound on one whole fetch, DNS included (RFC 8461 §3.3 suggests a minute at most). Default 60 s. */
        public Builder fetchTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("MTA-STS fetch timeout must be positive and at most a minute, got "
                        + timeout);
            }
            this.fetchTimeout = timeout;
            return this;
        }

        /**
         * After a failed fetch, no new fetch for {@code initial}, doubling up to {@code max}. Default 5 min, 1 h.
         * {@code initial} also spaces the re-checks that failed deliveries ask for.
         */
        public Builder failedFetchBackoff(Duration initial, Duration max) {
            if (initial.isNegative() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("failed-fetch backoff needs 0 <= initial <= max");
            }
            this.backoffInitial = initial;
            this.backoffMax = max;
            return this;
        }

        /** How often stored policies are checked for refresh before expiry; zero disables the thread. Default 1 h. */
        public Builder refreshInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("refresh interval must not be negative");
            }
            this.refreshInterval = interval;
            return this;
        }

        /**
         * Defer mail (TempFail) when a domain announces a policy that cannot be fetched and none is cached, instead
         * of delivering as without MTA-STS. Off by default: RFC 8461 §5.1 says to deliver.
         */
        public Builder deferWhenPolicyUnavailable(boolean defer) {
            this.deferWhenPolicyUnavailable = defer;
            return this;
        }

        public Builder maxDomainsInMemory(long max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxDomainsInMemory must be positive");
            }
            this.maxDomainsInMemory = max;
            return this;
        }

        /** Records {@code relay.mta_sts.fetches{result}}; optional. */
        public Builder meterRegistry(MeterRegistry registry) {
            this.meterRegistry = Objects.requireNonNull(registry, "meterRegistry");
            return this;
        }

        public StsPolicySource build() {
            Objects.requireNonNull(resolver, "resolver is required");
            Objects.requireNonNull(httpClient, "httpClient is required");
            if ((cacheDirectory == null) == (policyStore == null)) {
                throw new IllegalStateException("set exactly one of cacheDirectory and policyStore");
            }
            PolicyStore store = policyStore != null ? policyStore : PolicyStore.directory(cacheDirectory);
            X509TrustManager trust = trustManager != null ? trustManager : TrustStores.jdkDefault();
            OkHttpClient client = HttpClients.derive(httpClient, trust, fetchTimeout);
            PolicyCache cache = new PolicyCache(resolver, new PolicyFetcher(client, httpsPort),
                    store, new FetchBackoff(backoffInitial, backoffMax, maxDomainsInMemory),
                    clock, maxRefreshMargin, backoffInitial, maxDomainsInMemory, new StsMetrics(meterRegistry));
            return new DefaultStsPolicySource(cache, new StsDecider(trust, deferWhenPolicyUnavailable),
                    refreshInterval);
        }
    }
}
