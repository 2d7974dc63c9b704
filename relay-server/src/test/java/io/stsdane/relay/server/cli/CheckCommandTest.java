package io.stsdane.relay.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.stsdane.relay.server.Main;
import io.stsdane.relay.server.admin.AdminJson;
import io.stsdane.relay.server.ops.FixtureConfig;
import io.stsdane.relay.server.wiring.ModuleComponents;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.dns.TestZone;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import io.stsdane.relay.testkit.sts.StsPolicyServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code relay check} wired exactly as {@code relay run} wires the policy sources, against the signed DNS fixture,
 * an SMTP server with STARTTLS, and an HTTPS MTA-STS policy host.
 */
class CheckCommandTest {

    private static final TestCertificate WEB_ROOT = TestCertificate.builder().commonName("Test Web PKI").ca().build();
    private static final TestCertificate MX_CERT = TestCertificate.builder().dnsNames("mx.dane.test").build();
    private static final TestCertificate OTHER_CERT = TestCertificate.builder().dnsNames("mx.dane.test").build();
    private static final TestCertificate HUB_PKIX = TestCertificate.builder().dnsNames("smtp.hub.test")
            .issuedBy(WEB_ROOT).build();
    private static final TestCertificate HUB_SELF_SIGNED = TestCertificate.builder().dnsNames("smtp.hub.test").build();

    @TempDir
    Path dir;

    private DnsTestServer dns;
    private TestZone test;
    private TestSmtpServer smtp;
    private TestSmtpServer hub;
    private StsPolicyServer https;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws Exception {
        dns = DnsTestServer.start();
        test = dns.root().child("test");
        smtp = TestSmtpServer.start(SmtpBehavior.builder().startTls(MX_CERT.serverContext()).build());
        https = StsPolicyServer.start(
                TestCertificate.builder().dnsNames("mta-sts.sts.test").issuedBy(WEB_ROOT).build());
    }

    @AfterEach
    void tearDown() {
        if (hub != null) {
            hub.close();
        }
        https.close();
        smtp.close();
        dns.close();
    }

    private void daneDomain(TestCertificate tlsaFor) {
        test.child("dane.test")
                .mx("dane.test", 10, "mx.dane.test")
                .a("mx.dane.test", "127.0.0.1")
                .tlsa("_" + smtp.port() + "._tcp.mx.dane.test", "3 1 1 " + spkiSha256(tlsaFor));
    }

    @Test
    void daneDomainIsSecure() throws Exception {
        daneDomain(MX_CERT);

        assertThat(check("dane.test")).as(out + "" + err).isZero();

        assertThat(out.toString()).contains("MX: NOERROR, DNSSEC secure", "DANE: dane-required",
                "TLSA 3 1 1", "effective policy: dane/dane, SNI mx.dane.test, authenticated", "SECURE: ");
    }

    @Test
    void insecureDomainFailsAndExplains() throws Exception {
        test.unsignedChild("plain.test").mx("plain.test", 10, "mx.plain.test").a("mx.plain.test", "127.0.0.1");

        assertThat(check("plain.test")).isEqualTo(1);

        assertThat(out.toString()).contains("MX: NOERROR, DNSSEC insecure",
                "DANE: not-applicable: the address records of mx.plain.test are not DNSSEC-signed",
                "mta-sts  not-applicable",
                "effective policy: opportunistic/may, SNI mx.plain.test, NOT authenticated",
                "NOT SECURE: delivery to mx.plain.test (opportunistic/may) does not authenticate");
    }

    @Test
    void anUnsignedDomainWhoseMxHostPublishesTlsaInASignedZoneGetsDane() throws Exception {
        // RFC 7672 §2.2.1, as Postfix (smtp_tls_dane_insecure_mx_policy = dane): the same decision as delivery.
        test.unsignedChild("hosted.test").mx("hosted.test", 10, "mx.dane.test");
        daneDomain(MX_CERT);

        assertThat(check("hosted.test")).as(out + "" + err).isZero();

        assertThat(out.toString()).contains("MX: NOERROR, DNSSEC insecure", "DANE: dane-required",
                "the MX RRset is not signed", "effective policy: dane/dane, SNI mx.dane.test, authenticated");
    }

    @Test
    void bogusDomainFailsAsDeferred() throws Exception {
        test.childWithWrongDs("broken.test").mx("broken.test", 10, "mx.broken.test");

        assertThat(check("broken.test")).isEqualTo(1);

        assertThat(out.toString()).contains("DNSSEC bogus", "NOT SECURE: DNSSEC BOGUS MX answer: delivery would be"
                + " deferred");
    }

    @Test
    void mtaStsEnforceDomainIsSecureAndShowsThePolicyAndTlsRpt() throws Exception {
        test.unsignedChild("sts.test")
                .mx("sts.test", 10, "mx.sts.test")
                .a("mx.sts.test", "127.0.0.1")
                .a("mta-sts.sts.test", "127.0.0.1")
                .txt("_mta-sts.sts.test", "v=STSv1; id=20261128")
                .txt("_smtp._tls.sts.test", "v=TLSRPTv1; rua=mailto:tlsrpt@sts.test");
        String policy = "version: STSv1\nmode: enforce\nmax_age: 86400\nmx: mx.sts.test\n";
        https.serve("sts.test", policy);

        assertThat(check("--json", "sts.test")).as(out + "" + err).isZero();

        JsonNode j = AdminJson.MAPPER.readTree(out.toString());
        assertThat(j.get("secure").asBoolean()).isTrue();
        assertThat(j.at("/mtaSts/origin").asText()).isEqualTo("FRESH");
        assertThat(j.at("/mtaSts/mode").asText()).isEqualTo("enforce");
        assertThat(j.at("/mtaSts/policyText").asText()).isEqualTo(policy);
        assertThat(j.at("/mtaSts/txtRecords/0").asText()).isEqualTo("v=STSv1; id=20261128");
        assertThat(j.at("/tlsRpt/rua/0").asText()).isEqualTo("mailto:tlsrpt@sts.test");
        assertThat(j.at("/hosts/0/host").asText()).isEqualTo("mx.sts.test");
        assertThat(j.at("/hosts/0/decisions/0/source").asText()).isEqualTo("override");
        assertThat(j.at("/hosts/0/decisions/1/source").asText()).isEqualTo("dane");
        assertThat(j.at("/hosts/0/decisions/2/decision").asText()).isEqualTo("apply");
        assertThat(j.at("/hosts/0/effective/source").asText()).isEqualTo("mta-sts");
        assertThat(j.at("/hosts/0/effective/level").asText()).isEqualTo("verify");
    }

    @Test
    void unusableTlsaRecordsAreOnlyAFloorUnderAnEnforcedMtaStsPolicy() throws Exception {
        test.child("sts.test")
                .mx("sts.test", 10, "mx.sts.test")
                .a("mx.sts.test", "127.0.0.1")
                .tlsa("_" + smtp.port() + "._tcp.mx.sts.test", "0 0 1 " + spkiSha256(MX_CERT))
                .a("mta-sts.sts.test", "127.0.0.1")
                .txt("_mta-sts.sts.test", "v=STSv1; id=1");
        https.serve("sts.test", StsPolicyServer.policy("enforce", "mx.sts.test"));

        assertThat(check("--json", "sts.test")).as(out + "" + err).isZero();

        JsonNode j = AdminJson.MAPPER.readTree(out.toString());
        assertThat(j.at("/hosts/0/decisions/1/source").asText()).isEqualTo("dane");
        assertThat(j.at("/hosts/0/decisions/1/decision").asText()).isEqualTo("floor");
        assertThat(j.at("/hosts/0/decisions/2/decision").asText()).isEqualTo("apply");
        assertThat(j.at("/hosts/0/effective/source").asText()).isEqualTo("mta-sts");
        assertThat(j.at("/hosts/0/effective/level").asText()).isEqualTo("verify");
    }

    @Test
    void localOverrideShowsUpAndWins() throws Exception {
        test.unsignedChild("plain.test").mx("plain.test", 10, "mx.plain.test").a("mx.plain.test", "127.0.0.1");

        assertThat(checkWithConfig("policies: {plain.test: verify}\n", "--json", "plain.test")).isZero();

        JsonNode j = AdminJson.MAPPER.readTree(out.toString());
        assertThat(j.at("/hosts/0/decisions/0/detail").asText()).startsWith("local override plain.test: verify");
        assertThat(j.at("/hosts/0/effective/source").asText()).isEqualTo("override");
        assertThat(j.at("/hosts/0/decisions")).hasSize(1);
    }

    @Test
    void connectPassesWhenTheCertificateMatchesTheTlsaRecord() throws Exception {
        daneDomain(MX_CERT);

        assertThat(check("--json", "--connect", "dane.test")).as(out + "" + err).isZero();

        JsonNode c = AdminJson.MAPPER.readTree(out.toString()).at("/hosts/0/connections/0");
        assertThat(c.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(c.get("protocol").asText()).startsWith("TLSv1.");
        assertThat(c.get("cipher").asText()).startsWith("TLS_");
        assertThat(c.get("verified").asBoolean()).isTrue();
        assertThat(c.at("/chain/0/spkiSha256").asText()).isEqualTo(spkiSha256(MX_CERT));
        assertThat(c.at("/chain/0/notAfter").asText()).isEqualTo(MX_CERT.certificate().getNotAfter().toInstant()
                .toString());
        assertThat(smtp.received("STARTTLS")).isTrue();
        assertThat(smtp.received("MAIL")).isFalse();
    }

    @Test
    void connectFailsWhenTheCertificateDoesNotMatch() throws Exception {
        daneDomain(OTHER_CERT);

        assertThat(check("--connect", "dane.test")).isEqualTo(1);

        assertThat(out.toString()).contains("connect 127.0.0.1: TLSv1.", "FAILS the policy",
                spkiSha256(MX_CERT), "NOT SECURE: mx.dane.test [127.0.0.1]: no TLSA record matched");
    }

    @Test
    void connectReportsAServerWithoutStartTls() throws Exception {
        smtp.close();
        smtp = TestSmtpServer.start(SmtpBehavior.plain());
        daneDomain(MX_CERT);

        assertThat(check("--connect", "dane.test")).isEqualTo(1);

        assertThat(out.toString()).contains("connect 127.0.0.1: FAILED: the server does not offer STARTTLS");
    }

    /**
     * Starts a smart host {@code smtp.hub.test} on its own port presenting {@code cert}, named in {@code zone};
     * returns its {@code delivery:} keys.
     */
    private String smartHost(TestCertificate cert, TestZone zone, boolean auth) throws Exception {
        hub = TestSmtpServer.start(SmtpBehavior.builder().startTls(cert.serverContext()).build());
        zone.a("smtp.hub.test", "127.0.0.1");
        String yaml = "  smarthost: smtp.hub.test:" + hub.port() + "\n";
        if (auth) {
            Path password = Files.writeString(dir.resolve("smarthost-password"), "s3cret\n");
            yaml += "  smarthost-auth:\n    username: relay\n    password-file: " + password + "\n";
        }
        return yaml;
    }

    @Test
    void smartHostWithAuthAndAPkixCertificateForItsNameIsVerifiedAndProbedInsteadOfTheMx() throws Exception {
        test.unsignedChild("plain.test").mx("plain.test", 10, "mx.plain.test").a("mx.plain.test", "127.0.0.1");
        String delivery = smartHost(HUB_PKIX, test.unsignedChild("hub.test"), true);

        assertThat(checkWithDelivery(delivery, "--json", "--connect", "plain.test")).as(out + "" + err).isZero();

        JsonNode j = AdminJson.MAPPER.readTree(out.toString());
        assertThat(j.get("route").asText()).isEqualTo("smarthost");
        assertThat(j.at("/smartHost/smartHost").asText()).isEqualTo("smtp.hub.test:" + hub.port());
        assertThat(j.at("/smartHost/auth").asBoolean()).isTrue();
        assertThat(j.at("/smartHost/policyDomain").asText()).isEqualTo("smtp.hub.test");
        JsonNode route = j.at("/smartHost/host");
        assertThat(route.at("/effective/level").asText()).isEqualTo("verify");
        assertThat(route.at("/effective/sni").asText()).isEqualTo("smtp.hub.test");
        assertThat(route.at("/decisions/3/source").asText()).isEqualTo("smarthost-auth");
        assertThat(route.at("/connections/0/verified").asBoolean()).isTrue();
        assertThat(j.at("/hosts/0/host").asText()).isEqualTo("mx.plain.test");
        assertThat(j.at("/hosts/0/used").asBoolean()).isFalse();
        assertThat(j.at("/hosts/0/connections")).isEmpty();
        assertThat(hub.received("STARTTLS")).isTrue();
        assertThat(hub.received("AUTH")).isFalse();
        assertThat(smtp.connections()).isZero();
    }

    @Test
    void smartHostWithDaneTlsaRecordsIsSecureAndShownAsTheRoute() throws Exception {
        test.unsignedChild("plain.test").mx("plain.test", 10, "mx.plain.test").a("mx.plain.test", "127.0.0.1");
        TestZone hubZone = test.child("hub.test");
        String delivery = smartHost(HUB_SELF_SIGNED, hubZone, false);
        hubZone.tlsa("_" + hub.port() + "._tcp.smtp.hub.test", "3 1 1 " + spkiSha256(HUB_SELF_SIGNED));

        assertThat(checkWithDelivery(delivery, "--connect", "plain.test")).as(out + "" + err).isZero();

        assertThat(out.toString()).contains("Route: smart host smtp.hub.test:" + hub.port(),
                "MX host mx.plain.test (preference 10), information only: mail goes to the smart host",
                "Smart host smtp.hub.test:" + hub.port() + ", MTA-STS policy domain smtp.hub.test",
                "DANE: dane-required", "effective policy: dane/dane, SNI smtp.hub.test, authenticated",
                "certificate passes the policy", "SECURE: secure: the smart host smtp.hub.test:" + hub.port());
        assertThat(out.toString()).doesNotContain("effective policy: opportunistic");
    }

    @Test
    void smartHostPresentingASelfSignedCertificateFailsTheConnectCheck() throws Exception {
        test.unsignedChild("plain.test").mx("plain.test", 10, "mx.plain.test").a("mx.plain.test", "127.0.0.1");
        String delivery = smartHost(HUB_SELF_SIGNED, test.unsignedChild("hub.test"), true);

        assertThat(checkWithDelivery(delivery, "--connect", "plain.test")).isEqualTo(1);

        assertThat(out.toString()).contains("smarthost-auth apply: delivery.smarthost-auth",
                "effective policy: override/verify, SNI smtp.hub.test, authenticated",
                "FAILS the policy", "NOT SECURE: smtp.hub.test [127.0.0.1]: ");
    }

    @Test
    void aDaneDestinationBehindAnOpportunisticSmartHostIsNotSecure() throws Exception {
        daneDomain(MX_CERT);
        String delivery = smartHost(HUB_SELF_SIGNED, test.unsignedChild("hub.test"), false);

        assertThat(checkWithDelivery(delivery, "--json", "dane.test")).isEqualTo(1);

        JsonNode j = AdminJson.MAPPER.readTree(out.toString());
        assertThat(j.get("secure").asBoolean()).isFalse();
        assertThat(j.at("/hosts/0/dane/kind").asText()).isEqualTo("DANE_REQUIRED");
        assertThat(j.at("/hosts/0/effective").isNull()).isTrue();
        assertThat(j.at("/smartHost/host/effective/source").asText()).isEqualTo("opportunistic");
        assertThat(j.get("verdict").asText()).startsWith("delivery to smtp.hub.test (opportunistic/may) does not"
                + " authenticate the server");
    }

    @Test
    void smartHostGivenAsAnAddressIsProbedThereWithoutDnsOrMtaSts() throws Exception {
        test.unsignedChild("plain.test").mx("plain.test", 10, "mx.plain.test").a("mx.plain.test", "127.0.0.1");
        hub = TestSmtpServer.start(SmtpBehavior.builder().startTls(HUB_SELF_SIGNED.serverContext()).build());

        assertThat(checkWithDelivery("  smarthost: 127.0.0.1:" + hub.port() + "\n", "--json", "--connect",
                "plain.test")).isEqualTo(1);

        JsonNode j = AdminJson.MAPPER.readTree(out.toString());
        assertThat(j.at("/smartHost/smartHost").asText()).isEqualTo("127.0.0.1:" + hub.port());
        assertThat(j.at("/smartHost/mtaSts").isNull()).isTrue();
        assertThat(j.at("/smartHost/host/addresses/reason").asText()).isEqualTo("an IP address: no DNS lookup");
        assertThat(j.at("/smartHost/host/effective/level").asText()).isEqualTo("may");
        assertThat(j.at("/smartHost/host/connections/0/address").asText()).isEqualTo("127.0.0.1");
        assertThat(hub.received("STARTTLS")).isTrue();
        assertThat(j.get("verdict").asText()).startsWith("delivery to 127.0.0.1 (opportunistic/may)");
    }

    @Test
    void smartHostOnLocalhostComesFromTheHostsFileWhereDnsWouldCallItBogus() throws Exception {
        test.unsignedChild("plain.test").mx("plain.test", 10, "mx.plain.test").a("mx.plain.test", "127.0.0.1");
        dns.root().a("localhost", "127.0.0.1").corruptSignatures("localhost");
        hub = TestSmtpServer.start(SmtpBehavior.plain());

        assertThat(checkWithDelivery("  smarthost: localhost:" + hub.port() + "\n", "--json", "plain.test"))
                .isEqualTo(1);

        JsonNode j = AdminJson.MAPPER.readTree(out.toString());
        assertThat(j.at("/smartHost/host/addresses/security").asText()).isEqualTo("INSECURE");
        assertThat(j.at("/smartHost/host/addresses/reason").asText()).contains("hosts file");
        // The DANE line agrees with delivery: no TLSA lookup for a name DNS did not resolve (DNS calls it bogus).
        assertThat(j.at("/smartHost/host/dane/kind").asText()).isEqualTo("NOT_APPLICABLE");
        assertThat(j.at("/smartHost/host/dane/reason").asText()).contains("not resolved in DNS");
        assertThat(j.at("/smartHost/host/effective/level").asText()).isEqualTo("may");
        assertThat(j.get("verdict").asText()).startsWith("delivery to localhost (opportunistic/may)");
    }

    @Test
    void aDomainWithoutMxAndWithoutAddressIsShownAsBouncing() throws Exception {
        test.unsignedChild("noroute.test").txt("noroute.test", "no mail here");

        assertThat(check("noroute.test")).isEqualTo(1);

        assertThat(out.toString()).contains("no usable address: 5.1.2 noroute.test has no MX record",
                "NOT SECURE: no MX host can be used: mail to it bounces");
    }

    @Test
    void withoutASmartHostTheRouteIsTheMxHosts() throws Exception {
        daneDomain(MX_CERT);

        assertThat(check("--json", "dane.test")).isZero();

        JsonNode j = AdminJson.MAPPER.readTree(out.toString());
        assertThat(j.get("route").asText()).isEqualTo("mx");
        assertThat(j.get("smartHost").isNull()).isTrue();
        assertThat(j.at("/hosts/0/used").asBoolean()).isTrue();
    }

    private int check(String... args) throws Exception {
        return checkWith(args, "");
    }

    private int checkWithConfig(String extraYaml, String... args) throws Exception {
        return checkWith(args, extraYaml);
    }

    /** {@code delivery}: further {@code delivery:} keys, each line indented by two spaces. */
    private int checkWithDelivery(String delivery, String... args) throws Exception {
        return checkWith(args, "", delivery);
    }

    private int checkWith(String[] args, String extraYaml) throws Exception {
        return checkWith(args, extraYaml, "");
    }

    private int checkWith(String[] args, String extraYaml, String deliveryExtra) throws Exception {
        Path config = Files.writeString(dir.resolve("relay.yaml"), FixtureConfig.yaml(dir, dns, smtp.port(),
                deliveryExtra, https.port(), WEB_ROOT) + "spool:\n  dir: " + dir.resolve("spool") + "\n"
                + extraYaml);
        String[] full = new String[args.length + 3];
        full[0] = "check";
        full[1] = "--config";
        full[2] = config.toString();
        System.arraycopy(args, 0, full, 3, args.length);
        CommandLine cli = Main.commandLine(new ModuleComponents(), Map.of())
                .setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        return cli.execute(full);
    }

    private static String spkiSha256(TestCertificate c) {
        return StartTlsProbe.sha256(c.certificate().getPublicKey().getEncoded());
    }
}
