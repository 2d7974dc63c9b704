package io.stsdane.relay.bench.jmh;

import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.sts.StsPolicySource;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.sts.StsPolicyServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * MTA-STS policy lookup on a cache hit: the per-delivery cost of asking the policy source about an MX host whose
 * domain's policy is cached and whose TXT id is unchanged (RFC 8461 §5). The policy is fetched once, for real, over
 * HTTPS from a {@link StsPolicyServer} under a test root, during setup; DNS answers come from memory. The source is
 * relay-sts's, built by {@link MergedComponents#mtaSts}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PolicyLookupBenchmark {

    private static final String DOMAIN = "bench.test";
    private static final String POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mx.bench.test\r\nmax_age: 86400\r\n";

    private StsPolicyServer policyServer;
    private StsPolicySource source;
    private PolicyRequest request;

    @Setup
    public void setUp() throws IOException {
        TestCertificate root = TestCertificate.builder().commonName("Bench Root").ca().build();
        policyServer = StsPolicyServer.start(
                TestCertificate.builder().dnsNames("mta-sts." + DOMAIN).issuedBy(root).build()).serve(DOMAIN, POLICY);
        FixedDnsResolver dns = new FixedDnsResolver(DnsSecurity.INSECURE,
                Map.of(DOMAIN, List.of(new io.stsdane.relay.core.dns.MxRecord(10, "mx." + DOMAIN))),
                Map.of("mx." + DOMAIN, List.of(InetAddress.getLoopbackAddress()),
                        "mta-sts." + DOMAIN, List.of(InetAddress.getLoopbackAddress())),
                Map.of(), Map.of("_mta-sts." + DOMAIN, List.of("v=STSv1; id=bench1")));
        Path cache = Files.createTempDirectory("bench-sts-cache");
        source = MergedComponents.mtaSts(dns, cache, root.trustManager(), policyServer.port());
        request = new PolicyRequest(DOMAIN, DOMAIN, "mx." + DOMAIN, DnsSecurity.INSECURE, 25);
        PolicyDecision first = lookup();
        if (!(first instanceof PolicyDecision.Apply)) {
            throw new IllegalStateException("the warm-up lookup must find the policy, got " + first);
        }
    }

    @Benchmark
    public PolicyDecision cacheHit() {
        return lookup();
    }

    @TearDown
    public void tearDown() throws Exception {
        source.close();
        policyServer.close();
    }

    private PolicyDecision lookup() {
        return source.decide(request).toCompletableFuture().join();
    }
}
