package io.stsdane.relay.core.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The blocking host name seam over the relay's resolver, as OkHttp's {@code Dns} uses it. */
class HostAddressesTest {

    private final InMemoryDnsResolver dns = new InMemoryDnsResolver();
    private final HostAddresses lookup = new HostAddresses(dns, Duration.ofSeconds(10));

    @Test
    void usableAddressesAreReturnedForTheCanonicalName() throws Exception {
        InetAddress address = InetAddress.getByName("192.0.2.7");
        dns.address("reports.example.com", address);

        assertThat(lookup.lookup("Reports.Example.COM.")).containsExactly(address);
    }

    @Test
    void aBogusAnswerIsAnUnknownHostThatSaysWhy() {
        dns.address("reports.example.com", DnsStatus.ERROR, DnsSecurity.BOGUS);

        assertThatThrownBy(() -> lookup.lookup("reports.example.com")).isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("reports.example.com").hasMessageContaining("BOGUS");
    }

    @Test
    void aFailedLookupIsAnUnknownHostWithTheResolversReason() {
        dns.failing("reports.example.com", "SERVFAIL from test");

        assertThatThrownBy(() -> lookup.lookup("reports.example.com")).isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("SERVFAIL from test");
    }

    @Test
    void noAddressAtAllIsAnUnknownHost() {
        dns.address("reports.example.com");

        assertThatThrownBy(() -> lookup.lookup("reports.example.com")).isInstanceOf(UnknownHostException.class);
    }

    @Test
    void aNameThatIsNoDomainNameIsAnUnknownHostNotACrash() {
        assertThatThrownBy(() -> lookup.lookup("bad..name")).isInstanceOf(UnknownHostException.class);
    }

    @Test
    void aResolverThatNeverAnswersIsGivenUpAfterTheWait() {
        dns.silent("reports.example.com");

        assertThatThrownBy(() -> new HostAddresses(dns, Duration.ofMillis(50)).lookup("reports.example.com"))
                .isInstanceOf(UnknownHostException.class).hasMessageContaining("no answer within 50 ms");
    }

    @Test
    void theWaitMustBePositive() {
        assertThatThrownBy(() -> new HostAddresses(dns, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
