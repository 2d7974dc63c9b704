package io.stsdane.relay.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.net.HostPort;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.core.tls.PolicyRequest;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** How the engine resolves a smart host and what it asks the policy sources about it (RFC 8461 §4, RFC 7672). */
class SmartHostTest {

    private static final HostsFile HOSTS = HostsFile.parse("10.1.2.3 mail.corp.example  # internal\n");

    private static PolicyRequest request(SmartHost s, InMemoryDnsResolver dns) {
        DnsResult<InetAddress> a = s.addresses(dns, HOSTS).toCompletableFuture().join();
        return s.policyRequest(a, "example.test");
    }

    @Test
    void theSmartHostIsAskedAboutUnderItsOwnNameAndPort() {
        InMemoryDnsResolver dns = new InMemoryDnsResolver().address("smarthost.provider.test", DnsSecurity.SECURE,
                EngineFixture.addr("192.0.2.1"));

        assertThat(request(new SmartHost(HostPort.parse("smarthost.provider.test:587", 25)), dns)).isEqualTo(new PolicyRequest(
                "example.test", "smarthost.provider.test", "smarthost.provider.test", DnsSecurity.SECURE, 587));
        assertThat(request(new SmartHost(HostPort.parse("192.0.2.7", 2525)), dns)).isEqualTo(new PolicyRequest("example.test",
                "192.0.2.7", "192.0.2.7", DnsSecurity.INSECURE, 2525, false));
    }

    @Test
    void anInsecurelyResolvedSmartHostIsAskedAboutAsInsecure() {
        InMemoryDnsResolver dns = new InMemoryDnsResolver().address("relay.isp.test", DnsSecurity.INSECURE,
                EngineFixture.addr("192.0.2.1"));

        assertThat(request(new SmartHost(HostPort.parse("relay.isp.test", 25)), dns).mxSecurity()).isEqualTo(DnsSecurity.INSECURE);
    }

    @Test
    void aNameInTheHostsFileAndLocalhostAreNotLookedUpInDns() {
        InMemoryDnsResolver dns = new InMemoryDnsResolver();

        DnsResult<InetAddress> listed = new SmartHost(HostPort.parse("Mail.Corp.Example:2526", 25)).addresses(dns, HOSTS)
                .toCompletableFuture().join();
        DnsResult<InetAddress> localhost = new SmartHost(HostPort.parse("localhost:2526", 25)).addresses(dns, HOSTS)
                .toCompletableFuture().join();

        assertThat(listed.records()).containsExactly(EngineFixture.addr("10.1.2.3"));
        assertThat(listed.security()).isEqualTo(DnsSecurity.INSECURE);
        assertThat(localhost.records()).containsExactlyInAnyOrder(EngineFixture.addr("127.0.0.1"),
                EngineFixture.addr("::1"));
        assertThat(localhost.security()).isEqualTo(DnsSecurity.INSECURE);
    }

    /** RFC 7672 §2.2.2: TLSA records of the name in DNS say nothing about addresses from the hosts file. */
    @Test
    void aSmartHostFromTheHostsFileIsAskedAboutAsNotInDns() {
        InMemoryDnsResolver dns = new InMemoryDnsResolver().address("smarthost.provider.test", DnsSecurity.SECURE,
                EngineFixture.addr("192.0.2.1"));

        assertThat(request(new SmartHost(HostPort.parse("mail.corp.example", 25)), dns).hostInDns()).isFalse();
        assertThat(request(new SmartHost(HostPort.parse("localhost", 25)), dns).hostInDns()).isFalse();
        assertThat(request(new SmartHost(HostPort.parse("smarthost.provider.test", 25)), dns).hostInDns()).isTrue();
    }
}
