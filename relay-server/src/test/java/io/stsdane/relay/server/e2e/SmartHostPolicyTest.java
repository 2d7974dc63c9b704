package io.stsdane.relay.server.e2e;

import static io.stsdane.relay.server.e2e.RelayWorld.policy;
import static io.stsdane.relay.server.e2e.RelayWorld.selfSigned;
import static io.stsdane.relay.server.e2e.RelayWorld.startTls;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stsdane.relay.testkit.dns.TestZone;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through a smart host the smart host's domain, not the recipient's, is the MTA-STS policy domain (RFC 8461 §4):
 * its enforced policy protects the hop to it.
 */
class SmartHostPolicyTest {

    @TempDir
    Path dir;

    @AutoClose
    private RelayWorld world;

    @Test
    void theSmartHostsEnforcedPolicyDefersAnUnverifiableSmartHostAndDeliversOnceItIsVerifiable() throws Exception {
        world = new RelayWorld(dir, List.of("provider.test"), "  smarthost: provider.test\n", "");
        TestZone zone = world.tld.child("provider.test");
        String address = world.nextAddress();
        zone.a("provider.test", address);
        world.stsPolicy(zone, "provider.test", "1", policy("enforce", "provider.test"));
        TestSmtpServer impostor = world.mx(address, startTls(selfSigned("provider.test")));

        String id = world.submit("alice@recipient.example");

        assertThat(world.awaitTriedAndQueued(id, "alice@recipient.example")).containsIgnoringCase("certificate");
        assertThat(impostor.received("MAIL")).isFalse();
        impostor.close();
        TestSmtpServer real = world.mx(address, startTls(world.webPkiCertificate("provider.test")));

        // The delay DSN to the sender also leaves through the smart host; look for the message itself.
        await().atMost(Duration.ofSeconds(30)).until(() -> real.transactions().stream()
                .anyMatch(t -> t.recipients().toString().contains("alice@recipient.example")));
        assertThat(real.transactions()).allSatisfy(t -> {
            assertThat(t.tls()).isTrue();
            assertThat(t.sni()).isEqualTo("provider.test");
        });
    }

    /**
     * A smart host from the hosts file (here {@code localhost}, RFC 6761 §6.3) is reached at the addresses listed
     * there; DANE must not look its name up in DNS either, where a bogus answer would hold the mail forever.
     */
    @Test
    void aSmartHostFromTheHostsFileGetsTheMailWhereDnsCallsItsNameBogus() throws Exception {
        world = new RelayWorld(dir, List.of(), "  smarthost: localhost\n", "");
        world.dns.root().a("localhost", "127.0.0.1").corruptSignatures("localhost");
        TestSmtpServer smartHost = world.mx("127.0.0.1", SmtpBehavior.plain());

        world.submit("carol@recipient.example");

        assertThat(RelayWorld.awaitDelivery(smartHost).recipients().toString()).contains("carol@recipient.example");
    }

    @Test
    void credentialsAreOnlySentToASmartHostWhoseCertificateIsValidForItsName() throws Exception {
        Path password = Files.writeString(dir.resolve("smarthost.password"), "s3cret\n");
        world = new RelayWorld(dir, List.of(), "  smarthost: provider.test\n"
                + "  smarthost-auth:\n    username: relay\n    password-file: " + password + "\n", "");
        TestZone zone = world.tld.child("provider.test");
        String address = world.nextAddress();
        zone.a("provider.test", address);
        SmtpBehavior impostorBehaviour = startTls(selfSigned("provider.test")).toBuilder()
                .authPlain("relay", "s3cret").build();
        TestSmtpServer impostor = world.mx(address, impostorBehaviour);

        String id = world.submit("bob@recipient.example");

        assertThat(world.awaitTriedAndQueued(id, "bob@recipient.example")).containsIgnoringCase("certificate");
        assertThat(impostor.received("AUTH")).isFalse();
        assertThat(impostor.received("MAIL")).isFalse();
        impostor.close();
        TestSmtpServer real = world.mx(address, SmtpBehavior.builder()
                .startTls(world.webPkiCertificate("provider.test").serverContext())
                .authPlain("relay", "s3cret").build());

        await().atMost(Duration.ofSeconds(30)).until(() -> real.transactions().stream()
                .anyMatch(t -> t.recipients().toString().contains("bob@recipient.example")));
        assertThat(real.received("AUTH")).isTrue();
        assertThat(real.transactions()).allSatisfy(t -> assertThat(t.tls()).isTrue());
    }
}
