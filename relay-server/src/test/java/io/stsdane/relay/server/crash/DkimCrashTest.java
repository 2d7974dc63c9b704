package io.stsdane.relay.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.server.e2e.ExampleDestination;
import io.stsdane.relay.server.e2e.RunningRelay;
import io.stsdane.relay.server.e2e.SenderKeys;
import io.stsdane.relay.server.e2e.SmtpSubmission;
import io.stsdane.relay.testkit.dkim.DkimVerifier;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message signed at intake and acknowledged is on disk with its signatures: killed with SIGKILL before it could
 * be delivered, the relay delivers it after restart with both signatures intact, and leaves no spilled body.
 */
class DkimCrashTest {

    @TempDir
    Path dir;

    private DnsTestServer dns;
    private TestSmtpServer destination;
    private RelayProcess relay;

    @AfterEach
    void tearDown() {
        if (relay != null) {
            relay.destroy();
        }
        if (destination != null) {
            destination.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void signaturesSurviveKill9AndRecovery() throws Exception {
        dns = ExampleDestination.dns();
        SenderKeys keys = SenderKeys.create(dir);
        int mxPort = RunningRelay.freePort();
        int smtpPort = RunningRelay.freePort();
        Path config = Files.writeString(dir.resolve("relay.yaml"),
                RunningRelay.baseYaml(smtpPort, dir.resolve("spool"), RunningRelay.freePort())
                        + RunningRelay.signedDnsDeliveryYaml(dns, dir, mxPort)
                        + keys.yaml());
        String message = "From: app@sender.test\r\nTo: crash@example.test\r\nSubject: signed, then killed\r\n"
                + "Message-ID: <dkim-crash@sender.test>\r\n\r\nbody\r\n";

        // The destination MX is down until after the crash: what arrives later came from the spool.
        relay = RelayProcess.start(config, smtpPort, dir.resolve("relay.log"));
        String reply = SmtpSubmission.send(smtpPort, "app@sender.test", List.of("crash@example.test"), message);
        relay.kill9();

        assertThat(reply).startsWith("250");
        destination = TestSmtpServer.start(InetAddress.getLoopbackAddress(), mxPort, SmtpBehavior.plain());
        relay = RelayProcess.start(config, smtpPort, dir.resolve("relay.log"));
        assertThat(destination.awaitTransactions(1, Duration.ofSeconds(60))).as(relay.log()).isTrue();

        byte[] arrived = destination.transactions().get(0).data();
        List<DkimVerifier.Result> results = keys.verifier().verify(arrived);
        assertThat(results).extracting(DkimVerifier.Result::selector).containsExactly("rsa1", "ed1");
        assertThat(results).allSatisfy(r -> assertThat(r.failure()).isEmpty());
        try (Stream<Path> spilled = Files.list(dir.resolve("spool").resolve("dkim-spill"))) {
            assertThat(spilled).isEmpty();
        }
    }
}
