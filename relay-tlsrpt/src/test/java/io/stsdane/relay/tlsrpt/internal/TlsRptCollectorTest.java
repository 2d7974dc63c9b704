package io.stsdane.relay.tlsrpt.internal;

import static io.stsdane.relay.tlsrpt.testing.Sessions.dane;
import static io.stsdane.relay.tlsrpt.testing.Sessions.failed;
import static io.stsdane.relay.tlsrpt.testing.Sessions.ok;
import static io.stsdane.relay.tlsrpt.testing.Sessions.sts;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsSessionResult;
import io.stsdane.relay.testkit.time.MutableClock;
import io.stsdane.relay.tlsrpt.PolicyCounts;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TlsRptCollectorTest {

    private static final LocalDate DAY = LocalDate.of(2026, 11, 27);

    private final TlsRptCollector collector =
            new TlsRptCollector(new MutableClock(Instant.parse("2026-11-27T12:00:00Z")), "198.51.100.7");

    @Test
    void concurrentSessionsAreAllCounted() throws Exception {
        TlsPolicy policy = sts("example.com");
        int threads = 8;
        int perThread = 5_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    collector.record(i % 10 == 0
                            ? failed(policy, "mx" + (i % 3) + ".example.com", TlsFailure.CERTIFICATE_NOT_TRUSTED)
                            : ok(policy, "mx1.example.com"));
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();

        PolicyCounts counts = collector.countsByDomain(DAY).get("example.com").get(0);
        assertThat(counts.success()).isEqualTo(threads * perThread * 9L / 10);
        assertThat(counts.failure()).isEqualTo(threads * perThread / 10L);
        assertThat(counts.failures()).hasSize(3);
        assertThat(counts.failures().stream().mapToLong(PolicyCounts.FailureCount::count).sum())
                .isEqualTo(counts.failure());
    }

    @Test
    void eachDaneHostIsItsOwnPolicyAndOverridesCountAsNoPolicyFound() {
        collector.record(ok(dane("example.com", "mx1.example.com"), "mx1.example.com"));
        collector.record(ok(dane("example.com", "mx2.example.com"), "mx2.example.com"));
        collector.record(ok(TlsPolicy.opportunistic("example.com", "mx3.example.com"), "mx3.example.com"));

        Map<String, List<PolicyCounts>> byDomain = collector.countsByDomain(DAY);
        assertThat(byDomain.get("example.com")).extracting(p -> p.key().type() + " " + p.key().mxHosts())
                .containsExactlyInAnyOrder("tlsa [mx1.example.com]", "tlsa [mx2.example.com]", "no-policy-found []");
    }

    @Test
    void failureDetailsAreCappedButEveryFailureIsCounted() {
        TlsPolicy policy = sts("example.com");
        int sessions = 1_500;
        for (int i = 0; i < sessions; i++) {
            collector.record(new TlsSessionResult(policy, "mx" + i + ".example.com", "192.0.2.1",
                    TlsFailure.STARTTLS_NOT_SUPPORTED, "no STARTTLS"));
        }

        PolicyCounts counts = collector.countsByDomain(DAY).get("example.com").get(0);
        assertThat(counts.failure()).isEqualTo(sessions);
        assertThat(counts.failures()).hasSize(1000);
    }

    @Test
    void aBrokenResultNeverThrowsIntoTheDeliveryEngine() {
        collector.record(new TlsSessionResult(null, "mx1.example.com", "192.0.2.1", null, ""));

        assertThat(collector.days()).isEmpty();
    }

    @Test
    void theFailureReasonIsKeptPrintableAndShort() {
        collector.record(new TlsSessionResult(sts("example.com"), "mx1.example.com", "192.0.2.1",
                TlsFailure.CERTIFICATE_EXPIRED, "expired\r\nInjected: header " + "x".repeat(500)));

        String reason = collector.countsByDomain(DAY).get("example.com").get(0).failures().get(0).reason();
        assertThat(reason).doesNotContain("\r", "\n").hasSizeLessThanOrEqualTo(200).startsWith("expired");
    }
}
