package io.stsdane.relay.server.cluster;

import io.stsdane.relay.testkit.postgres.TestDatabase;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnssecMode;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.dns.DnsResolvers;
import io.stsdane.relay.server.wiring.OutboundHttp;
import io.stsdane.relay.sts.MtaSts;
import io.stsdane.relay.sts.PolicyFreshness;
import io.stsdane.relay.sts.StsPolicySource;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.dns.TestZone;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.sts.StsPolicyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

/**
 * "A policy fetched by one node is enforced by another" (docs/cluster.md): two MTA-STS policy sources, each with
 * its own memory cache, DNS resolver and connection pool, over one PostgreSQL schema. The policy is discovered
 * over the signed DNS fixture and fetched over HTTPS from a policy host with a certificate from a test root;
 * then the policy host goes down and the second node must enforce what the first one fetched.
 */
class SharedPolicyCacheTest {

    private static final String DOMAIN = "sts-cluster.test";
    private static final String TXT = "_mta-sts." + DOMAIN;
    private static final TestCertificate WEB_ROOT = TestCertificate.builder().commonName("Test Web PKI Root").ca()
            .build();

    @RegisterExtension
    final TestDatabase db = new TestDatabase();
    @TempDir
    Path dir;

    private final DnsTestServer dns = DnsTestServer.start();
    private StsPolicyServer policyHost;
    private final List<AutoCloseable> nodes = new ArrayList<>();
    private TestZone zone;

    @BeforeEach
    void start() throws Exception {
        // TTL 0: each node sees a new TXT id at once, as it would after the TTL.
        zone = dns.root().child("test").ttl(0);
        announce("20240101");
        zone.a("mta-sts." + DOMAIN, "127.0.0.1");
        policyHost = StsPolicyServer.start(
                TestCertificate.builder().dnsNames("mta-sts." + DOMAIN).issuedBy(WEB_ROOT).build());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable n : nodes) {
            n.close();
        }
        policyHost.close();
        dns.close();
    }

    private void announce(String id) {
        zone.remove(TXT, Type.TXT).txt(TXT, "v=STSv1; id=" + id + ";");
    }

    private void serve(String... mx) {
        policyHost.serve(DOMAIN, StsPolicyServer.policy("enforce", mx));
    }

    /** A relay node's MTA-STS: nothing shared with the other nodes but the database. */
    private StsPolicySource node(String name) {
        PostgresPolicyStore store = new PostgresPolicyStore(NodeDatabase.of(db).spool(name));
        DnsOptions options = new DnsOptions(List.of(dns.address()), DnssecMode.VALIDATE, dns.trustAnchorFile(dir),
                false, Duration.ofSeconds(2), 1, 1000);
        DnsResolver resolver = DnsResolvers.create(options);
        OkHttpClient http = OutboundHttp.client(resolver);
        StsPolicySource sts = MtaSts.builder().resolver(resolver).httpClient(http).policyStore(store)
                .trustManager(WEB_ROOT.trustManager()).httpsPort(policyHost.port())
                .fetchTimeout(Duration.ofSeconds(10)).refreshInterval(Duration.ZERO).build();
        nodes.add(sts::close);
        nodes.add(() -> OutboundHttp.shutdown(http));
        nodes.add(store);
        return sts;
    }

    private static PolicyDecision decide(StsPolicySource node, String mx) throws Exception {
        return node.decide(new PolicyRequest(DOMAIN, DOMAIN, mx, DnsSecurity.SECURE, 25)).toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    private static void assertVerified(PolicyDecision d, String mx) {
        assertThat(d).isInstanceOf(PolicyDecision.Apply.class);
        assertThat(((PolicyDecision.Apply) d).policy().level()).isEqualTo(TlsLevel.VERIFY);
        assertThat(((PolicyDecision.Apply) d).policy().sniName()).isEqualTo(mx);
    }

    private static void assertRefused(PolicyDecision d, String mx) {
        assertThat(d).isInstanceOf(PolicyDecision.TempFail.class);
        assertThat(((PolicyDecision.TempFail) d).failure()).isEqualTo(TlsFailure.VALIDATION_FAILURE);
        assertThat(((PolicyDecision.TempFail) d).reason()).contains(mx);
    }

    @Test
    void aPolicyFetchedByOneNodeIsEnforcedByAnotherWhileThePolicyHostIsDown() throws Exception {
        serve("*.mx." + DOMAIN);
        StsPolicySource a = node("a");
        assertVerified(decide(a, "in1.mx." + DOMAIN), "in1.mx." + DOMAIN);
        assertThat(policyHost.requests(DOMAIN)).isEqualTo(1);

        policyHost.close();
        StsPolicySource b = node("b");

        assertVerified(decide(b, "in2.mx." + DOMAIN), "in2.mx." + DOMAIN);
        // The downgrade an attacker who blocks node b's fetch would want: an MX outside the policy.
        assertRefused(decide(b, "mx.attacker.test"), "mx.attacker.test");
        assertThat(b.lookup(DOMAIN).toCompletableFuture().get(30, TimeUnit.SECONDS).freshness())
                .isEqualTo(PolicyFreshness.CACHED);
        assertThat(policyHost.requests(DOMAIN)).isEqualTo(1);
    }

    @Test
    void aNodeHoldingAnOlderPolicyInMemoryUsesTheNewerOneAnotherNodeFetched() throws Exception {
        serve("old.mx." + DOMAIN);
        StsPolicySource a = node("a");
        StsPolicySource b = node("b");
        assertVerified(decide(a, "old.mx." + DOMAIN), "old.mx." + DOMAIN);
        assertVerified(decide(b, "old.mx." + DOMAIN), "old.mx." + DOMAIN);
        assertThat(policyHost.requests(DOMAIN)).isEqualTo(1);

        announce("20240202");
        serve("new.mx." + DOMAIN);
        assertVerified(decide(a, "new.mx." + DOMAIN), "new.mx." + DOMAIN);
        assertThat(policyHost.requests(DOMAIN)).isEqualTo(2);
        policyHost.close();

        // Without the shared store, b would fail to fetch id 20240202 and keep its old policy, refusing new.mx.
        assertVerified(decide(b, "new.mx." + DOMAIN), "new.mx." + DOMAIN);
        assertRefused(decide(b, "old.mx." + DOMAIN), "old.mx." + DOMAIN);
    }
}
