package io.stsdane.relay.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.dkim.DkimKey;
import io.stsdane.relay.server.Main;
import io.stsdane.relay.server.admin.AdminJson;
import io.stsdane.relay.server.e2e.SenderKeys;
import io.stsdane.relay.server.wiring.ModuleComponents;
import io.stsdane.relay.testkit.dkim.DkimTestKeys;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.dns.TestZone;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Type;

/** {@code relay dkim check} against a DNSSEC-signed test zone, and {@code relay dkim record}. */
class DkimCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private DnsTestServer dns;
    private TestZone zone;
    private SenderKeys keys;
    private Path config;

    @BeforeEach
    void setUp() throws Exception {
        dns = DnsTestServer.start();
        zone = dns.root().child("test").child("sender.test");
        keys = SenderKeys.create(dir);
        config = Files.writeString(dir.resolve("relay.yaml"), """
                dns:
                  servers: [127.0.0.1:%d]
                  dnssec: validate
                  trust-anchors: %s
                spool:
                  dir: %s
                """.formatted(dns.address().getPort(), dns.trustAnchorFile(dir), dir.resolve("spool")) + keys.yaml());
    }

    @AfterEach
    void tearDown() {
        dns.close();
    }

    private void publish(String selector, String record) {
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < record.length(); i += 255) {
            strings.add("\"" + record.substring(i, Math.min(record.length(), i + 255)) + "\"");
        }
        zone.record(selector + "._domainkey.sender.test", Type.TXT, String.join(" ", strings));
    }

    private int run(String... args) {
        return Main.commandLine(new ModuleComponents(), Map.of())
                .setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
    }

    @Test
    void publishedRecordsThatMatchPassWithTheirDnssecState() {
        publish("rsa1", DkimKey.load("rsa1", keys.rsa()).record());
        publish("ed1", DkimKey.load("ed1", keys.ed()).record());

        int exit = run("dkim", "check", "--config", config.toString(), "sender.test");

        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly(
                "selector=rsa1 algorithm=rsa-sha256 name=rsa1._domainkey.sender.test dnssec=secure status=match",
                "selector=ed1 algorithm=ed25519-sha256 name=ed1._domainkey.sender.test dnssec=secure status=match");
    }

    @Test
    void aDifferentKeyAndAMissingRecordFailAndSayWhatToPublish() throws Exception {
        publish("rsa1", DkimKey.load("other", DkimTestKeys.rsa(dir, "other", 2048)).record());

        int exit = run("dkim", "check", "--config", config.toString(), "--json", "sender.test");

        assertThat(exit).isEqualTo(1);
        var results = AdminJson.MAPPER.readTree(out.toString());
        assertThat(results.get(0).get("status").asText()).isEqualTo("different-key");
        assertThat(results.get(0).get("detail").asText()).isEqualTo("publish: " + DkimKey.load("rsa1", keys.rsa()).record());
        assertThat(results.get(1).get("status").asText()).isEqualTo("missing");
        assertThat(results.get(1).get("dnssec").asText()).isEqualTo("secure");
    }

    @Test
    void aRevokedKeyFails() {
        publish("rsa1", "v=DKIM1; k=rsa; p=");
        publish("ed1", DkimKey.load("ed1", keys.ed()).record());

        assertThat(run("dkim", "check", "--config", config.toString(), "sender.test")).isEqualTo(1);
        assertThat(out.toString()).contains("status=revoked");
    }

    @Test
    void anUnconfiguredDomainIsAnError() {
        assertThat(run("dkim", "check", "--config", config.toString(), "other.test")).isEqualTo(1);
        assertThat(err.toString()).contains("no DKIM keys are configured for other.test");
    }

    @Test
    void recordPrintsTheNameTheTxtValueAndAZoneFileLine() {
        String txt = DkimKey.load("rsa1", keys.rsa()).record();

        int exit = run("dkim", "record", "--selector", "rsa1", "--domain", "Sender.Test", keys.rsa().toString());

        assertThat(exit).as(err.toString()).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(0)).isEqualTo("name=rsa1._domainkey.sender.test");
        assertThat(lines.get(1)).isEqualTo("txt=" + txt);
        assertThat(lines.get(2)).isEqualTo("zone=rsa1._domainkey.sender.test. IN TXT \"" + txt.substring(0, 255)
                + "\" \"" + txt.substring(255) + "\"");
    }

    @Test
    void recordRefusesAShortKey() {
        Path weak = DkimTestKeys.rsa(dir, "weak", 1024);

        assertThat(run("dkim", "record", "--selector", "s", "--domain", "sender.test", weak.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("RSA key of 1024 bits is too short");
    }
}
