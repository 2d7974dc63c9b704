package io.stsdane.relay.smtp.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.testkit.dns.DnsTestServer;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.SimpleResolver;

/** The SPF self-check against a real DNS server over UDP (relay-testkit's). */
class SpfSelfCheckTest extends InboundTestBase {

    private DnsTestServer dns;

    @BeforeEach
    void dns() {
        dns = DnsTestServer.start();
        dns.root().child("com").child("example.com").txt("example.com", "v=spf1 ip4:192.0.2.10 -all");
        dns.root().child("example").child("soft.example").txt("soft.example", "v=spf1 ip4:192.0.2.10 ~all");
    }

    @AfterEach
    void stopDns() {
        dns.close();
    }

    private InboundServer server(SpfMode mode, String egress) throws Exception {
        InetAddress ip = InetAddress.getByName(egress);
        SimpleResolver resolver = new SimpleResolver(dns.address());
        resolver.setTimeout(Duration.ofSeconds(2));
        return start(b -> b.spfCheck(mode, ip, resolver));
    }

    @Test
    void rejectModeRefusesASenderWhoseSpfExcludesTheRelay() throws Exception {
        InboundServer server = server(SpfMode.REJECT, "198.51.100.7");
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(c.cmd("MAIL FROM:<app@example.com>")).startsWith("550 5.7.23")
                    .contains("198.51.100.7");
            assertThat(c.cmd("MAIL FROM:<app@soft.example>")).as("softfail only warns").startsWith("250");
            c.cmd("RSET");
            assertThat(c.cmd("MAIL FROM:<>")).as("bounces have no domain to check").startsWith("250");
        }
        assertThat(meters.counter("relay.inbound.spf", "result", "fail").count()).isEqualTo(1);
        assertThat(meters.counter("relay.inbound.spf", "result", "softfail").count()).isEqualTo(1);
    }

    @Test
    void rejectModeAcceptsAnAuthorizedRelay() throws Exception {
        InboundServer server = server(SpfMode.REJECT, "192.0.2.10");
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(c.cmd("MAIL FROM:<app@example.com>")).startsWith("250");
        }
        assertThat(meters.counter("relay.inbound.spf", "result", "pass").count()).isEqualTo(1);
    }

    @Test
    void warnModeAcceptsAndCounts() throws Exception {
        InboundServer server = server(SpfMode.WARN, "198.51.100.7");
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(send(c, "app@example.com", "b@example.org", "Subject: x\r\n\r\ny\r\n")).startsWith("250");
        }
        assertThat(meters.counter("relay.inbound.spf", "result", "fail").count()).isEqualTo(1);
        assertThat(intake.accepted()).hasSize(1);
    }
}
