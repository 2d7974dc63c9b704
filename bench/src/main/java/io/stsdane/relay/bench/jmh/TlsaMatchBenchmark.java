package io.stsdane.relay.bench.jmh;

import io.stsdane.relay.core.dns.TlsaRecord;
import io.stsdane.relay.core.tls.Verification;
import io.stsdane.relay.dane.TlsaVerifier;
import io.stsdane.relay.testkit.pki.TestCertificate;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * TLSA matching (RFC 7672 §3): the work done once per TLS session under DANE, matching the presented leaf
 * against a TLSA RRset of two records (a rollover: the old key's 3 1 1 first, then the current one's), with
 * relay-dane's {@link TlsaVerifier} built once as the delivery engine builds it per MX host.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TlsaMatchBenchmark {

    private List<X509Certificate> chain;
    private TlsaVerifier verifier;

    @Setup
    public void setUp() throws Exception {
        TestCertificate root = TestCertificate.builder().commonName("Bench Root").ca().build();
        TestCertificate leaf = TestCertificate.builder().dnsNames("mx.bench.test").issuedBy(root).build();
        TestCertificate retired = TestCertificate.builder().dnsNames("mx.bench.test").build();
        chain = leaf.chainWithoutRoot();
        verifier = new TlsaVerifier(List.of(
                new TlsaRecord(3, 1, 1, sha256(retired.certificate().getPublicKey().getEncoded())),
                new TlsaRecord(3, 1, 1, sha256(leaf.certificate().getPublicKey().getEncoded()))),
                List.of("mx.bench.test"), Clock.systemUTC());
        Verification first = verifier.verify(chain);
        if (!first.passed()) {
            throw new IllegalStateException("the benchmark's TLSA RRset must match its leaf: " + first);
        }
    }

    @Benchmark
    public Verification daneEeSpkiSha256() {
        return verifier.verify(chain);
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
