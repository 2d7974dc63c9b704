package io.stsdane.relay.smtp.inbound;

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
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The SPF self-check against real DNS over UDP (relay-testkit's signed zones), asked through the relay's own
 * resolver as the running relay asks it: validated, with its server failover.
 */
class SpfSelfCheckTest extends InboundTestBase {

    /** Every name the validating resolver asks the servers while checking {@code app@example.com}. */
    private static final List<String> EXAMPLE_COM_CHAIN = List.of(".", "com", "example.com");

    private DnsTestServer dns;
    private DnsTestServer failing;

    @BeforeEach
    void dns() {
        dns = zones(DnsTestServer.start());
        failing = zones(DnsTestServer.start());
    }

    private static DnsTestServer zones(DnsTestServer server) {
        server.root().child("com").child("example.com").txt("example.com", "v=spf1 ip4:192.0.2.10 -all");
        TestZone example = server.root().child("example");
        example.child("soft.example").txt("soft.example", "v=spf1 ip4:192.0.2.10 ~all");
        example.child("nospf.example").txt("nospf.example", "not an SPF record");
        TestZone included = example.child("incl.example");
        included.txt("incl.example", "v=spf1 include:_spf.incl.example -all");
        included.txt("_spf.incl.example", "v=spf1 ip4:192.0.2.10 -all");
        return server;
    }

    @AfterEach
    void stopDns() {
        dns.close();
        failing.close();
    }

    /** The relay's resolver, validating against {@code dns}'s root, asking {@code servers} in this order. */
    private DnsResolver resolver(DnsTestServer... servers) {
        List<InetSocketAddress> addresses = Stream.of(servers).map(DnsTestServer::address).toList();
        return DnsResolvers.create(new DnsOptions(addresses, DnssecMode.VALIDATE, dns.trustAnchorFile(tmp), false,
                Duration.ofSeconds(2), 1, 1000));
    }

    private InboundServer server(SpfMode mode, String egress, DnsResolver resolver) throws Exception {
        InetAddress ip = InetAddress.getByName(egress);
        return start(resolver, intake, b -> b.spfCheck(mode, ip));
    }

    private InboundServer server(SpfMode mode, String egress) throws Exception {
        return server(mode, egress, resolver(dns));
    }

    /** The reply to {@code MAIL FROM:<sender>} in a new session. */
    private static String mailFrom(InboundServer server, String sender) throws Exception {
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            return c.cmd("MAIL FROM:<" + sender + ">");
        }
    }

    private double spf(String result) {
        return meters.counter("relay.inbound.spf", "result", result).count();
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
        assertThat(spf("fail")).isEqualTo(1);
        assertThat(spf("softfail")).isEqualTo(1);
    }

    @Test
    void rejectModeAcceptsAnAuthorizedRelay() throws Exception {
        assertThat(mailFrom(server(SpfMode.REJECT, "192.0.2.10"), "app@example.com")).startsWith("250");
        assertThat(spf("pass")).isEqualTo(1);
    }

    /** Providers publish their ranges under underscore names (include:_spf.…): not host names, still asked. */
    @Test
    void anIncludeOfAnUnderscoreNameIsFollowed() throws Exception {
        assertThat(mailFrom(server(SpfMode.REJECT, "192.0.2.10"), "app@incl.example")).startsWith("250");
        assertThat(mailFrom(server(SpfMode.REJECT, "198.51.100.7"), "app@incl.example")).startsWith("550 5.7.23");
        assertThat(spf("pass")).isEqualTo(1);
        assertThat(spf("fail")).isEqualTo(1);
    }

    @Test
    void warnModeAcceptsAndCounts() throws Exception {
        InboundServer server = server(SpfMode.WARN, "198.51.100.7");
        try (SmtpClient c = new SmtpClient(server.port())) {
            c.hello();
            assertThat(send(c, "app@example.com", "b@example.org", "Subject: x\r\n\r\ny\r\n")).startsWith("250");
        }
        assertThat(spf("fail")).isEqualTo(1);
        assertThat(intake.accepted()).hasSize(1);
    }

    @Test
    void aDomainWithoutSpfRecordIsNoneAndANameThatDoesNotExistToo() throws Exception {
        InboundServer server = server(SpfMode.REJECT, "198.51.100.7");
        assertThat(mailFrom(server, "app@nospf.example")).startsWith("250");
        assertThat(mailFrom(server, "app@nowhere.example")).startsWith("250");
        assertThat(spf("none")).isEqualTo(2);
    }

    /** RFC 7208 §4.4: a DNS failure is temperror, never fail (reject mode must not refuse on it) nor none. */
    @Test
    void aServerFailureIsTemperror() throws Exception {
        dns.misbehave("example.com", Misbehaviour.SERVFAIL);
        assertThat(mailFrom(server(SpfMode.REJECT, "198.51.100.7"), "app@example.com")).startsWith("250");
        assertThat(spf("temperror")).isEqualTo(1);
    }

    /**
     * The check asks the configured servers with the relay's failover: the first server fails every query (SERVFAIL
     * or REFUSED, as a resolver whose upstream is unreachable or that does not serve the relay; or no answer at
     * all), the second answers, and the result is the second server's. dnsjava's ExtendedResolver, which the SPF
     * check used before, took a SERVFAIL or REFUSED as the answer (temperror) and tried its servers in random order.
     */
    @ParameterizedTest(name = "first server: {0}")
    @EnumSource(value = Misbehaviour.class, names = {"SERVFAIL", "REFUSED", "DROP"})
    void theSecondServerAnswersWhenTheFirstFails(Misbehaviour how) throws Exception {
        EXAMPLE_COM_CHAIN.forEach(name -> failing.misbehave(name, how));
        InboundServer server = server(SpfMode.REJECT, "198.51.100.7", resolver(failing, dns));
        assertThat(mailFrom(server, "app@example.com")).startsWith("550 5.7.23");
        assertThat(spf("fail")).isEqualTo(1);
        assertThat(failing.queryCount()).as("the first server was asked first").isPositive();
    }

    @Test
    void anSpfCheckWithoutAResolverIsRefused() {
        assertThatThrownBy(() -> start(null, intake, b -> b.spfCheck(SpfMode.WARN, InetAddress.getLoopbackAddress())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a DNS resolver");
    }
}
