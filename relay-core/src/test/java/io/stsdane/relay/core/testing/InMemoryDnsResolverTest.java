package io.stsdane.relay.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.dns.MxRecord;
import java.net.InetAddress;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The answers the shared DNS double promises in its Javadoc, which the other modules' tests rely on. */
class InMemoryDnsResolverTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final InMemoryDnsResolver dns = new InMemoryDnsResolver();

    private static <T> DnsResult<T> now(CompletionStage<DnsResult<T>> stage) {
        return stage.toCompletableFuture().join();
    }

    @Test
    void unknownNamesAreInsecureNxdomainForEveryType() {
        assertThat(now(dns.mx("nowhere.example")).status()).isEqualTo(DnsStatus.NXDOMAIN);
        assertThat(now(dns.addresses("nowhere.example")).status()).isEqualTo(DnsStatus.NXDOMAIN);
        assertThat(now(dns.txt("nowhere.example")).status()).isEqualTo(DnsStatus.NXDOMAIN);
        assertThat(now(dns.tlsa("_25._tcp.nowhere.example"))).satisfies(r -> {
            assertThat(r.status()).isEqualTo(DnsStatus.NXDOMAIN);
            assertThat(r.security()).isEqualTo(DnsSecurity.INSECURE);
        });
    }

    @Test
    void recordsAnswerNoerrorWithTheirSecurityAndNoRecordsIsNodata() {
        dns.mx("example.com", DnsSecurity.SECURE, new MxRecord(10, "mx.example.com"))
                .mx("implicit.example", DnsSecurity.INSECURE)
                .address("mx.example.com", DnsSecurity.SECURE, LOOPBACK);

        DnsResult<MxRecord> mx = now(dns.mx("example.com"));
        assertThat(mx.status()).isEqualTo(DnsStatus.NOERROR);
        assertThat(mx.security()).isEqualTo(DnsSecurity.SECURE);
        assertThat(mx.records()).containsExactly(new MxRecord(10, "mx.example.com"));
        assertThat(now(dns.mx("implicit.example")).status()).isEqualTo(DnsStatus.NODATA);
        assertThat(now(dns.addresses("mx.example.com")).records()).containsExactly(LOOPBACK);
    }

    @Test
    void aAndAaaaAnswerTheAddressesOfTheirFamilyAndAFamilyWithoutAnyIsNodata() throws Exception {
        InetAddress v4 = InetAddress.getByName("192.0.2.1");
        InetAddress v6 = InetAddress.getByName("2001:db8::1");
        dns.address("dual.example", DnsSecurity.SECURE, v6, v4).address("v4.example", v4);

        assertThat(now(dns.a("dual.example")).records()).containsExactly(v4);
        assertThat(now(dns.aaaa("dual.example"))).satisfies(r -> {
            assertThat(r.records()).containsExactly(v6);
            assertThat(r.security()).isEqualTo(DnsSecurity.SECURE);
        });
        assertThat(now(dns.aaaa("v4.example")).status()).isEqualTo(DnsStatus.NODATA);
        assertThat(now(dns.a("nowhere.example")).status()).isEqualTo(DnsStatus.NXDOMAIN);
        assertThat(now(dns.ptr("1.2.0.192.in-addr.arpa")).status()).isEqualTo(DnsStatus.NXDOMAIN);
    }

    @Test
    void recordLessAnswersCarryTheirStatusSecurityAndAReasonWhenTheyFailed() {
        dns.mx("gone.example", DnsStatus.NXDOMAIN, DnsSecurity.SECURE)
                .address("mx.bogus.example", DnsStatus.ERROR, DnsSecurity.BOGUS);

        DnsResult<MxRecord> gone = now(dns.mx("gone.example"));
        assertThat(gone.status()).isEqualTo(DnsStatus.NXDOMAIN);
        assertThat(gone.security()).isEqualTo(DnsSecurity.SECURE);
        assertThat(gone.reason()).isEmpty();
        DnsResult<InetAddress> bogus = now(dns.addresses("mx.bogus.example"));
        assertThat(bogus.isUsable()).isFalse();
        assertThat(bogus.reason()).isNotEmpty();
    }

    @Test
    void aFailingNameFailsForEveryTypeUntilHealed() {
        dns.txt("_mta-sts.example.com", "v=STSv1; id=1").failing("_mta-sts.example.com", "SERVFAIL from test");

        DnsResult<String> failed = now(dns.txt("_mta-sts.example.com"));
        assertThat(failed.status()).isEqualTo(DnsStatus.ERROR);
        assertThat(failed.security()).isEqualTo(DnsSecurity.INDETERMINATE);
        assertThat(failed.reason()).isEqualTo("SERVFAIL from test");
        assertThat(now(dns.mx("_mta-sts.example.com")).status()).isEqualTo(DnsStatus.ERROR);

        dns.healed("_mta-sts.example.com");
        assertThat(now(dns.txt("_mta-sts.example.com")).records()).containsExactly("v=STSv1; id=1");
    }

    @Test
    void removedTxtRecordsAreNxdomainAgain() {
        dns.txt("_smtp._tls.example.com", "v=TLSRPTv1; rua=mailto:r@example.com").removeTxt("_smtp._tls.example.com");

        assertThat(now(dns.txt("_smtp._tls.example.com")).status()).isEqualTo(DnsStatus.NXDOMAIN);
    }

    @Test
    void addressLookupsOnAnotherThreadStillAnswerWhileMxStaysImmediate() {
        dns.addressesOnAnotherThread().mx("example.com", DnsSecurity.INSECURE, new MxRecord(10, "mx.example.com"))
                .address("mx.example.com", LOOPBACK);

        // Which thread completes the address lookup is up to the pool (a fast one may finish before the caller
        // attaches a stage), so only the answers are checked.
        assertThat(dns.mx("example.com").toCompletableFuture()).isDone();
        assertThat(dns.addresses("mx.example.com").toCompletableFuture().join().records()).containsExactly(LOOPBACK);
    }
}
