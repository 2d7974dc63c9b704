package io.stsdane.relay.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    private static SmartHost smart(String spec) {
        return new SmartHost(HostPort.parse(spec, 25));
    }

    private static PolicyRequest request(SmartHost s, InMemoryDnsResolver dns) {
        DnsResult<InetAddress> a = s.addresses(dns, HOSTS).toCompletableFuture().join();
        return s.policyRequest(a, "example.test");
    }

    @Test
    void theSmartHostIsAskedAboutUnderItsOwnNameAndPort() {
        InMemoryDnsResolver dns = new InMemoryDnsResolver().address("smarthost.provider.test", DnsSecurity.SECURE,
                EngineFixture.addr("192.0.2.1"));

        assertThat(request(smart("smarthost.provider.test:587"), dns)).isEqualTo(new PolicyRequest(
                "example.test", "smarthost.provider.test", "smarthost.provider.test", DnsSecurity.SECURE, 587));
        assertThat(request(new SmartHost(HostPort.parse("192.0.2.7", 2525)), dns)).isEqualTo(new PolicyRequest(
                "example.test", "192.0.2.7", "192.0.2.7", DnsSecurity.INSECURE, 2525, false));
    }

    @Test
    void anInsecurelyResolvedSmartHostIsAskedAboutAsInsecure() {
        InMemoryDnsResolver dns = new InMemoryDnsResolver().address("relay.isp.test", DnsSecurity.INSECURE,
                EngineFixture.addr("192.0.2.1"));

        assertThat(request(smart("relay.isp.test"), dns).mxSecurity()).isEqualTo(DnsSecurity.INSECURE);
    }

    @Test
    void aNameInTheHostsFileAndLocalhostAreNotLookedUpInDns() {
        InMemoryDnsResolver dns = new InMemoryDnsResolver();

        DnsResult<InetAddress> listed = smart("Mail.Corp.Example:2526").addresses(dns, HOSTS)
                .toCompletableFuture().join();
        DnsResult<InetAddress> localhost = smart("localhost:2526").addresses(dns, HOSTS)
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

        assertThat(request(smart("mail.corp.example"), dns).hostInDns()).isFalse();
        assertThat(request(smart("localhost"), dns).hostInDns()).isFalse();
        assertThat(request(smart("smarthost.provider.test"), dns).hostInDns()).isTrue();
    }

    /** The smart host value holds its invariants; its errors name Java parameters (the config loader names keys). */
    @Test
    void aSmartHostIsCanonicalHasAPortAndAuthInFull() {
        assertThat(smart("Relay.ISP.Test.:587").host()).isEqualTo("relay.isp.test");
        assertThat(smart("[2001:db8::7]").isIpLiteral()).isTrue();
        assertThatThrownBy(() -> smart("relay.isp.test:0")).hasMessage("port must be 1-65535, was 0");
        assertThatThrownBy(() -> new SmartHost(HostPort.parse("relay.isp.test", 25), "user", null))
                .hasMessage("username and password must be given together");
        assertThat(smart("relay.isp.test").withAuth("u", "secret")).hasToString("relay.isp.test:25 (AUTH as u)");
    }
}
