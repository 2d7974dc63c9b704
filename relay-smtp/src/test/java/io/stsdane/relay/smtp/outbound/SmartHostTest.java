package io.stsdane.relay.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.core.tls.PolicyRequest;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The question the engine asks the policy sources about a smart host (RFC 8461 §4, RFC 7672). */
class SmartHostTest {

    @Test
    void theSmartHostIsAskedAboutUnderItsOwnNameAndPort() {
        InMemoryDnsResolver dns = new InMemoryDnsResolver().address("smarthost.provider.test", DnsSecurity.SECURE,
                EngineFixture.addr("192.0.2.1"));
        CompletionStage<PolicyRequest> named = SmartHost.parse("smarthost.provider.test:587", 25)
                .policyRequest(dns, "example.test");
        CompletionStage<PolicyRequest> literal = SmartHost.parse("192.0.2.7", 2525)
                .policyRequest(dns, "example.test");

        assertThat(named.toCompletableFuture().join()).isEqualTo(new PolicyRequest("example.test",
                "smarthost.provider.test", "smarthost.provider.test", DnsSecurity.SECURE, 587));
        assertThat(literal.toCompletableFuture().join()).isEqualTo(new PolicyRequest("example.test", "192.0.2.7",
                "192.0.2.7", DnsSecurity.INSECURE, 2525));
    }

    @Test
    void anInsecurelyResolvedSmartHostIsAskedAboutAsInsecure() {
        InMemoryDnsResolver dns = new InMemoryDnsResolver().address("relay.isp.test", DnsSecurity.INSECURE,
                EngineFixture.addr("192.0.2.1"));

        assertThat(SmartHost.parse("relay.isp.test", 25).policyRequest(dns, "example.test").toCompletableFuture()
                .join().mxSecurity()).isEqualTo(DnsSecurity.INSECURE);
    }
}
