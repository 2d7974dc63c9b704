package io.stsdane.relay.server.wiring;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stsdane.relay.core.delivery.DeliveryObserver;
import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.pki.TrustStores;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.tls.TlsReporter;
import io.stsdane.relay.dkim.DkimIntake;
import io.stsdane.relay.dkim.DkimSigning;
import io.stsdane.relay.dns.DnsResolvers;
import io.stsdane.relay.queue.MessageQueue;
import io.stsdane.relay.queue.PostgresSpool;
import io.stsdane.relay.queue.RecoveryReport;
import io.stsdane.relay.server.LiveConfig;
import io.stsdane.relay.server.ManagedService;
import io.stsdane.relay.server.RelayComponents;
import io.stsdane.relay.server.admin.DnsHealthCheck;
import io.stsdane.relay.server.admin.HealthCheck;
import io.stsdane.relay.server.admin.SpoolWritableCheck;
import io.stsdane.relay.server.cluster.PostgresPolicyStore;
import io.stsdane.relay.server.cluster.PostgresTlsRptCounters;
import io.stsdane.relay.server.config.DeliveryConfig;
import io.stsdane.relay.server.config.ModuleKeys;
import io.stsdane.relay.server.config.RelayConfig;
import io.stsdane.relay.server.config.ServerConfig;
import io.stsdane.relay.server.config.SpoolConfig;
import io.stsdane.relay.server.config.TlsReportingConfig;
import io.stsdane.relay.smtp.inbound.InboundOptions;
import io.stsdane.relay.smtp.inbound.InboundServer;
import io.stsdane.relay.smtp.inbound.SpfMode;
import io.stsdane.relay.smtp.outbound.DeliveryEngine;
import io.stsdane.relay.smtp.outbound.DeliveryOptions;
import io.stsdane.relay.smtp.outbound.SmartHost;
import io.stsdane.relay.sts.PolicyStore;
import io.stsdane.relay.sts.StsPolicySource;
import io.stsdane.relay.tlsrpt.TlsRpt;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the whole relay from its configuration. The policy sources are consulted in the order
 * {@link PolicyChain} fixes: local override, DANE, MTA-STS (RFC 8461 §2: MTA-STS never overrides DANE); the
 * delivery engine falls back to opportunistic TLS only when none applies. Start order: delivery engine, queue
 * (recovery, then scheduling), TLS reporting (unless
 * {@code tls-reporting.enabled} is false), SMTP listener; the
 * listener opens last so no message is accepted before the queue can hold it, and closes first.
 * Used from the main thread only.
 */
public final class ModuleComponents implements RelayComponents {

    private static final Logger log = LoggerFactory.getLogger(ModuleComponents.class);

    private final DeliveryObserver observer;

    /** The relay as {@code relay run} builds it. */
    public ModuleComponents() {
        this(DeliveryObserver.NONE);
    }

    /** The same relay, with {@code observer} told of every delivery attempt and outcome (embedding, tests). */
    public ModuleComponents(DeliveryObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    @Override
    public DnsResolver dnsResolver(DnsOptions options) {
        return ModuleKeys.DNS.build(() -> DnsResolvers.create(options));
    }

    @Override
    public PostgresSpool queueDatabase(SpoolConfig.Postgres postgres, String nodeName) {
        return postgresSpool(postgres, nodeName);
    }

    @Override
    public Assembly assemble(RelayConfig config, PrometheusMeterRegistry registry) {
        String hostname = LocalNames.hostname(config);
        DnsResolver dns = ModuleKeys.DNS.build(() -> DnsResolvers.create(config.dns(), registry));
        X509TrustManager trust = trustManager(config);

        OkHttpClient http = OutboundHttp.client(dns);
        PolicyStore stsStore = stsStore(config.spool(), hostname);
        PolicyChain policies = PolicyChain.build(config, dns, trust, http, stsStore, registry);
        Optional<StsPolicySource> sts = policies.mtaSts();
        if (sts.isEmpty()) {
            log.warn("mta-sts.enabled is false: MTA-STS policies are ignored; only DANE and local policies protect"
                    + " delivery");
        }

        ForwardingDeliveryAgent agent = new ForwardingDeliveryAgent();
        MessageQueue queue = spool(config.spool(), hostname)
                .hostname(hostname)
                .deliveryAgent(agent)
                .retrySchedule(config.delivery().retrySchedule())
                .maxQueueLifetime(config.delivery().maxQueueLifetime())
                .delayWarning(config.delivery().delayWarning().orElse(null))
                .concurrency(config.delivery().concurrency().queueConcurrency())
                .meterRegistry(registry)
                .build();
        Optional<TlsRpt> tlsRpt = tlsReporting(config, hostname, dns, http, queue, trust);
        if (tlsRpt.isEmpty()) {
            log.info("tls-reporting.enabled is false: no SMTP TLS reports (RFC 8460) are sent");
        }
        DeliveryEngine engine = new DeliveryEngine(deliveryOptions(config, hostname, trust), dns,
                policies.inOrder(), tlsRpt.map(TlsRpt::reporter).orElse(TlsReporter.NONE), registry, observer);
        agent.bind(engine);
        Optional<DkimIntake> dkim = dkim(config, queue, registry);
        InboundServer listener = ModuleKeys.SERVER.build(() -> new InboundServer(inboundOptions(config, hostname), dns,
                dkim.<MessageIntake>map(d -> d).orElse(queue.intake()), registry));

        List<ManagedService> services = new ArrayList<>();
        // Stopped last: MTA-STS and TLS reporting derive their HTTP clients from it.
        services.add(ManagedService.of("http-client", () -> { }, () -> OutboundHttp.shutdown(http)));
        services.add(ManagedService.of("delivery-engine",
                () -> log.info("Delivery engine ready ({} transport)", engine.transport()), engine::close));
        services.add(ManagedService.of("queue", () -> logRecovery(queue.start()), queue::close));
        tlsRpt.ifPresent(r -> services.add(reportingService(r)));
        services.add(ManagedService.of("mta-sts", () -> { }, () -> {
            sts.ifPresent(StsPolicySource::close);
            if (stsStore instanceof AutoCloseable c) {
                closeQuietly(c);
            }
        }));
        services.add(ManagedService.of("smtp-listener", () -> {
            listener.start();
            log.info("Accepting mail on {}", config.server().listen());
        }, listener::stop));

        List<HealthCheck> readiness = List.of(
                new SpoolWritableCheck(config.spool().dir(), config.spool().minFreeDisk()),
                new QueueCapacityCheck(queue),
                new DnsHealthCheck(dns, DnsHealthCheck.DEFAULT_PROBE, Duration.ofSeconds(10)));
        LiveConfig live = next -> {
            // The listener's files first: when one cannot be used this throws before anything changed.
            ModuleKeys.SERVER.build(() -> {
                listener.reload(inboundOptions(next, hostname));
                return null;
            });
            policies.override().replaceLevels(next.policies());
            List<String> reloaded = new ArrayList<>(List.of("policies (" + next.policies().size()
                    + " override(s))", "server.allowed-networks", "server.auth.users-file", "server.tls"));
            // Keys, selectors and domains; turning signing on or off needs a restart (ConfigReloader says so).
            dkim.filter(d -> !next.dkim().isEmpty()).ifPresent(d -> {
                d.reload(next.dkim());
                reloaded.add("dkim (" + next.dkim().domains().size() + " domain(s))");
            });
            return reloaded;
        };
        return new Assembly(services, readiness, new QueueAdminAdapter(queue.admin(), Clock.systemUTC()), live);
    }

    /** The trust store of {@code tls.ca-file}, or the JDK's; also what {@code relay check} judges with. */
    static X509TrustManager trustManager(RelayConfig config) {
        return ModuleKeys.TLS.build(() -> TrustStores.load(config.tls().caFile().orElse(null)));
    }

    /**
     * DKIM signing in front of the queue, when {@code dkim.domains} has any (docs/dkim.md), with bodies waiting for
     * their hash under {@code <spool.dir>/dkim-spill}, on the spool's disk.
     */
    private static Optional<DkimIntake> dkim(RelayConfig config, MessageQueue queue, PrometheusMeterRegistry registry) {
        if (config.dkim().isEmpty()) {
            return Optional.empty();
        }
        log.info("DKIM signing for {}", String.join(", ", config.dkim().domains().keySet()));
        return Optional.of(DkimSigning.intake(queue.intake(), config.dkim(),
                config.spool().dir().resolve("dkim-spill"), Clock.systemUTC(), registry));
    }

    /** {@code tls-reporting:}; empty when disabled. Reports go out through the relay's own queue. */
    private static Optional<TlsRpt> tlsReporting(RelayConfig config, String hostname, DnsResolver dns,
            OkHttpClient http, MessageQueue queue, X509TrustManager trust) {
        TlsReportingConfig c = config.tlsReporting();
        if (!c.enabled()) {
            return Optional.empty();
        }
        TlsRpt.Builder b = TlsRpt.builder()
                .directory(config.spool().dir().resolve("tlsrpt"))
                .resolver(dns)
                .httpClient(http)
                .intake(queue.intake())
                .organization(c.organization().orElse(hostname))
                .contact(c.contact().orElse("postmaster@" + hostname))
                .submitterDomain(hostname)
                .trustManager(trust);
        c.from().ifPresent(b::from);
        if (config.spool().backend() == SpoolConfig.Backend.POSTGRES) {
            PostgresSpool spool = postgres(config.spool(), hostname);
            b.sharedStore((counters, clock, sendTime) -> new PostgresTlsRptCounters(spool, counters, clock, sendTime));
        }
        c.sendingIp().ifPresent(ip -> b.sendingMtaIp(ip.getHostAddress()));
        return Optional.of(b.build());
    }

    private static ManagedService reportingService(TlsRpt tlsRpt) {
        ScheduledExecutorService reportTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tls-reporting");
            t.setDaemon(true);
            return t;
        });
        return ManagedService.of("tls-reporting", () -> tlsRpt.start(reportTimer), () -> {
            tlsRpt.close();
            reportTimer.shutdownNow();
        });
    }

    /**
     * The queue's store: the file spool under {@code spool.dir}, or PostgreSQL shared by several relay nodes
     * (docs/cluster.md). The spool directory is used either way for TLS-RPT counters.
     */
    private static MessageQueue.Builder spool(SpoolConfig spool, String hostname) {
        if (spool.backend() == SpoolConfig.Backend.POSTGRES) {
            return MessageQueue.builder().postgres(postgres(spool, hostname));
        }
        return MessageQueue.builder().directory(spool.dir()).minFreeDisk(spool.minFreeDisk())
                .commitDelay(spool.commitDelay());
    }

    /**
     * Where MTA-STS policies persist: with the postgres backend the queue's database, shared by every node so
     * that a policy one node fetched is enforced by all (docs/cluster.md); otherwise {@code <spool.dir>/mta-sts}.
     */
    private static PolicyStore stsStore(SpoolConfig spool, String hostname) {
        if (spool.backend() == SpoolConfig.Backend.POSTGRES) {
            return new PostgresPolicyStore(postgres(spool, hostname));
        }
        return PolicyStore.directory(spool.dir().resolve("mta-sts"));
    }

    private static PostgresSpool postgres(SpoolConfig spool, String hostname) {
        return postgresSpool(spool.postgres().orElseThrow(), hostname);
    }

    /** The database of {@code spool.postgres.*}; {@code nodeName} names this process in leases. */
    private static PostgresSpool postgresSpool(SpoolConfig.Postgres pg, String nodeName) {
        String password = pg.passwordFile().map(PostgresSpool::readPasswordFile).orElse("");
        return new PostgresSpool(pg.url(), pg.user(), password, pg.poolSize(), pg.schema(), pg.lease(),
                pg.connectTimeout(), nodeName);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            log.warn("closing {} failed: {}", c, e.toString());
        }
    }

    private static void logRecovery(RecoveryReport r) {
        log.info("MessageQueue recovered: {}", r);
    }

    /**
     * The delivery engine's options, also what {@code relay check} judges with; the relay's own listener
     * ({@code server.listen}) is where a mail loop ends.
     */
    static DeliveryOptions deliveryOptions(RelayConfig config, String hostname,
            X509TrustManager trust) {
        DeliveryConfig d = config.delivery();
        DeliveryOptions.Builder b = DeliveryOptions.builder(d.helo().orElse(hostname))
                .port(d.port())
                .connectTimeout(d.connectTimeout())
                .timeouts(d.timeouts())
                .maxConnections(d.concurrency().maxConnections())
                .maxPerDestination(d.concurrency().maxPerDestination())
                .messagesPerConnection(d.concurrency().messagesPerConnection())
                .deniedNetworks(d.deniedNetworks())
                .listeners(List.of(config.server().listen().toResolved()))
                .trust(trust);
        smartHost(d).ifPresent(b::smartHost);
        d.sourceAddress().ifPresent(b::sourceAddress);
        return b.build();
    }

    /**
     * The smart host of {@code delivery.smarthost} with its credentials, exactly as the delivery engine gets it
     * (the port defaults to {@code delivery.port}); also what {@code relay check} judges.
     */
    public static Optional<SmartHost> smartHost(DeliveryConfig d) {
        return d.smarthost().map(h -> {
            SmartHost host = new SmartHost(h);
            return d.smarthostAuth().map(a -> host.withAuth(a.username(), a.password())).orElse(host);
        });
    }

    static InboundOptions inboundOptions(RelayConfig config, String hostname) {
        ServerConfig s = config.server();
        InboundOptions.Builder b = InboundOptions.builder()
                .listen(s.listen().toResolved())
                .hostname(hostname)
                .allowedNetworks(s.allowedNetworks())
                .maxMessageSize(s.maxMessageSize())
                .maxRecipients(s.maxRecipients())
                .authRequireTls(s.auth().requireTls())
                .drainTimeout(s.drainTimeout())
                .maxSessions(s.limits().maxSessions())
                .maxSessionsPerIp(s.limits().maxSessionsPerIp())
                .perIpLimitExceptions(s.limits().perIpLimitExceptions())
                .commandTimeout(s.limits().commandTimeout())
                .dataTimeout(s.limits().dataTimeout())
                .dataMinRate(s.limits().dataMinRate());
        s.tls().ifPresent(tls -> b.tls(tls.cert(), tls.key()));
        s.auth().usersFile().ifPresent(b::usersFile);
        if (s.spfCheck().mode() != SpfMode.OFF) {
            b.spfCheck(s.spfCheck().mode(), s.spfCheck().egressIp().orElseThrow());
        }
        return b.build();
    }
}
