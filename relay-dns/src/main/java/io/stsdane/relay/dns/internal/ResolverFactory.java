package io.stsdane.relay.dns.internal;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnssecMode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * Builds the dnsjava-backed {@link DnsResolver} from {@link DnsOptions}, refusing setups that would make DNSSEC
 * states meaningless. Use {@code io.stsdane.relay.dns.DnsResolvers.create}; this class exists so tests can
 * inject a {@link Ticker}.
 */
public final class ResolverFactory {

    private static final Logger log = LoggerFactory.getLogger(ResolverFactory.class);
    /** Fits in one IP packet without fragmentation (DNS flag day 2020). */
    private static final int EDNS_PAYLOAD = 1232;
    /**
     * How late dnsjava may notice a UDP timeout: its NIO selector thread checks for timeouts when it wakes, at the
     * latest every second ({@code dnsjava.nio.selector_timeout}, 1000 ms by default).
     */
    private static final Duration TIMEOUT_NOTICED_LATE = Duration.ofSeconds(1);

    private ResolverFactory() {
    }

    /** @throws IllegalArgumentException with an operator-facing message for an unusable configuration */
    public static DnsResolver create(DnsOptions options, Ticker ticker) {
        return create(options, ticker, null);
    }

    /**
     * @param registry where {@code relay.dns.lookups} is counted; null for no metrics
     * @throws IllegalArgumentException with an operator-facing message for an unusable configuration
     */
    public static DnsResolver create(DnsOptions options, Ticker ticker, MeterRegistry registry) {
        check(options);
        List<InetSocketAddress> servers = options.servers().isEmpty()
                ? ResolverConfig.getCurrentConfig().servers() : options.servers();
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("servers: none configured and none found in the system"
                    + " configuration (/etc/resolv.conf); list at least one resolver");
        }
        DnssecMode mode = options.dnssec();
        if (mode == DnssecMode.TRUST_AD && !options.allowNonLoopbackAd()) {
            for (InetSocketAddress s : servers) {
                if (s.getAddress() == null || !s.getAddress().isLoopbackAddress()) {
                    throw new IllegalArgumentException("dnssec: TRUST_AD would trust the AD bit from " + s
                            + ", which is not a loopback address; an attacker on the path can forge that bit."
                            + " Run a validating resolver on loopback (for example unbound on 127.0.0.1),"
                            + " or use VALIDATE, or set allowNonLoopbackAd only if the"
                            + " path to that resolver is protected");
                }
            }
        }
        List<Resolver> perServer = servers.stream().<Resolver>map(s -> simple(s, options.timeout())).toList();
        ServerFailover head = new ServerFailover(perServer, options.retries() + 1);
        // Every attempt a query may make, each allowed to be noticed late.
        Duration perQuery = options.timeout().plus(TIMEOUT_NOTICED_LATE)
                .multipliedBy((long) (options.retries() + 1) * servers.size());
        Resolver transport = head;
        switch (mode) {
            case VALIDATE -> {
                ValidatingResolver validator = new ValidatingResolver(new ServerFailureGuard(head));
                validator.setAddReasonToAdditional(true);
                TrustAnchors.load(validator, options.trustAnchors());
                transport = validator;
            }
            case TRUST_AD -> head.setEDNS(0, EDNS_PAYLOAD, ExtendedFlags.DO, List.of());
            case OFF -> {
                head.setEDNS(0, EDNS_PAYLOAD, 0, List.of());
                // Operator guidance at start-up, not a validation error: it names the key to change.
                log.warn("dns.dnssec is off: every DNS answer is treated as INSECURE, so DANE is DISABLED and"
                        + " TLSA records are never enforced. Set dns.dnssec to validate or trust-ad to enforce DANE.");
            }
            default -> throw new IllegalStateException(mode.toString());
        }
        if (mode != DnssecMode.VALIDATE && options.trustAnchors() != null) {
            log.warn("trustAnchors {} ignored: they are used only when DNSSEC is VALIDATE", options.trustAnchors());
        }
        List<String> described = servers.stream().map(ResolverFactory::describe).toList();
        log.info("DNS: servers {}, DNSSEC {}", described, mode.name().toLowerCase(java.util.Locale.ROOT));
        // The validator may need a DNSKEY/DS query per zone cut on top of the answer itself.
        Duration budget = perQuery.multipliedBy(4);
        // dns.insecure-domains: asked past the validator, every answer INSECURE (as unbound's domain-insecure).
        DnsjavaResolver.Path validating = DnsjavaResolver.Path.of(transport, mode == DnssecMode.TRUST_AD,
                new SecurityClassifier(mode));
        DnsjavaResolver.Path unvalidated = DnsjavaResolver.Path.of(head, false, new SecurityClassifier(DnssecMode.OFF));
        if (!options.insecureDomains().isEmpty()) {
            log.info("DNS: names at or below {} are not DNSSEC-validated (insecureDomains): no DANE for them",
                    options.insecureDomains());
        }
        return new DnsjavaResolver(validating, unvalidated, options.insecureDomains(), described, budget,
                options.cacheMaxEntries(), ticker, registry == null ? DnsMetrics.NONE : new DnsMetrics(registry));
    }

    private static void check(DnsOptions options) {
        if (options.timeout().isNegative() || options.timeout().isZero()) {
            throw new IllegalArgumentException("timeout must be positive, not " + options.timeout());
        }
        if (options.retries() < 0) {
            throw new IllegalArgumentException("retries must be 0 or more, not " + options.retries());
        }
        if (options.cacheMaxEntries() < 0) {
            throw new IllegalArgumentException("cacheMaxEntries must be 0 or more, not "
                    + options.cacheMaxEntries());
        }
    }

    private static SimpleResolver simple(InetSocketAddress server, Duration timeout) {
        SimpleResolver r = new SimpleResolver(server);
        r.setTimeout(timeout);
        return r;
    }

    /** {@code 127.0.0.1:53}, as the operator configured it. */
    static String describe(InetSocketAddress s) {
        return s.getAddress() == null ? s.getHostString() + ":" + s.getPort()
                : s.getAddress().getHostAddress() + ":" + s.getPort();
    }
}
