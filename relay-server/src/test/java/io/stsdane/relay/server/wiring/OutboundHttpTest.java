package io.stsdane.relay.server.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnssecMode;
import io.stsdane.relay.dns.DnsResolvers;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.dns.Misbehaviour;
import io.stsdane.relay.testkit.dns.TestZone;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import org.xbill.DNS.Type;

/**
 * The base HTTP client's host name lookup (MTA-STS policy hosts, TLS-RPT endpoints) through the relay's validating
 * resolver, against the signed-zone fixture.
 */
class OutboundHttpTest {

    @TempDir
    Path dir;

    private DnsTestServer dns;
    private OkHttpClient http;
    private Dns lookup;

    @BeforeEach
    void start() {
        dns = DnsTestServer.start();
        TestZone com = dns.root().child("com");
        com.unsignedChild("plain.com").a("mta-sts.plain.com", "192.0.2.2");
        com.child("signed.com").a("mta-sts.signed.com", "192.0.2.3");
        DnsResolver resolver = DnsResolvers.create(new DnsOptions(List.of(dns.address()), DnssecMode.VALIDATE,
                dns.trustAnchorFile(dir), false, Duration.ofMillis(700), 0, 100));
        http = OutboundHttp.client(resolver);
        lookup = http.dns();
    }

    @AfterEach
    void stop() {
        OutboundHttp.shutdown(http);
        dns.close();
    }

    @Test
    void aFailedAaaaQueryForAnUnsignedPolicyHostStillGivesItsIpv4Address() throws Exception {
        dns.misbehave("mta-sts.plain.com", Type.AAAA, Misbehaviour.SERVFAIL);

        assertThat(lookup.lookup("mta-sts.plain.com")).containsExactly(InetAddress.getByName("192.0.2.2"));
    }

    @Test
    void aFailedAaaaQueryForASignedPolicyHostIsAnUnknownHost() {
        dns.misbehave("mta-sts.signed.com", Type.AAAA, Misbehaviour.DROP);

        assertThatThrownBy(() -> lookup.lookup("mta-sts.signed.com")).isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("INDETERMINATE");
    }

    @Test
    void aNameTheResolverDoesNotKnowIsNeverAskedOfTheSystemResolver() {
        assertThatThrownBy(() -> lookup.lookup("localhost")).isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("no usable address for localhost");
    }

    @Test
    void noProxyFromTheEnvironmentIsUsed() {
        assertThat(http.proxy()).isEqualTo(Proxy.NO_PROXY);
    }
}
