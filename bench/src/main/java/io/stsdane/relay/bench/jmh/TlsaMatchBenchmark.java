package io.stsdane.relay.bench.jmh;

import io.stsdane.relay.core.dns.TlsaRecord;
import io.stsdane.relay.testkit.pki.TestCertificate;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
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
 * against a TLSA RRset of two records (a rollover: the old key's 3 1 1 and the current one's).
 *
 * <p>Measures the cost of the digest over the presented certificate's SubjectPublicKeyInfo and the comparison,
 * via the core {@link TlsaRecord}. AFTER MERGE: replace {@link #match} with relay-dane's verifier,
 * {@code new TlsaVerifier(rrset, List.of("mx.bench.test"), Clock.systemUTC()).verify(chain).passed()} (built once
 * in setup), so the benchmark measures the shipped code.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TlsaMatchBenchmark {

    private List<X509Certificate> chain;
    private List<TlsaRecord> rrset;

    @Setup
    public void setUp() throws Exception {
        TestCertificate root = TestCertificate.builder().commonName("Bench Root").ca().build();
        TestCertificate leaf = TestCertificate.builder().dnsNames("mx.bench.test").issuedBy(root).build();
        TestCertificate retired = TestCertificate.builder().dnsNames("mx.bench.test").build();
        chain = leaf.chainWithoutRoot();
        rrset = List.of(
                new TlsaRecord(3, 1, 1, digest("SHA-256", retired.certificate().getPublicKey().getEncoded())),
                new TlsaRecord(3, 1, 1, digest("SHA-256", leaf.certificate().getPublicKey().getEncoded())));
    }

    @Benchmark
    public boolean daneEeSpkiSha256() throws Exception {
        return match(chain, rrset);
    }

    static boolean match(List<X509Certificate> chain, List<TlsaRecord> records)
            throws NoSuchAlgorithmException, CertificateEncodingException {
        X509Certificate leaf = chain.get(0);
        for (TlsaRecord r : records) {
            if (!r.isUsableForSmtp() || r.usage() != TlsaRecord.DANE_EE) {
                continue;
            }
            byte[] selected = r.selector() == 1 ? leaf.getPublicKey().getEncoded() : leaf.getEncoded();
            byte[] expected = r.data();
            byte[] actual = switch (r.matchingType()) {
                case 1 -> digest("SHA-256", selected);
                case 2 -> digest("SHA-512", selected);
                default -> selected;
            };
            if (MessageDigest.isEqual(expected, actual)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] digest(String algorithm, byte[] data) throws NoSuchAlgorithmException {
        return MessageDigest.getInstance(algorithm).digest(data);
    }
}
