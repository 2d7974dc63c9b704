package io.stsdane.relay.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.server.cluster.NodeDatabase;
import io.stsdane.relay.testkit.dkim.DkimVerifier;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.postgres.TestDatabase;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code spool.backend: postgres} the signatures are stored with the content in the database and arrive
 * intact, through the build's own PostgreSQL (relay-testkit {@link TestDatabase}).
 */
class DkimPostgresQueueTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final TestDatabase db = new TestDatabase();

    private DnsTestServer dns;
    private TestSmtpServer destination;
    private RunningRelay relay;

    @AfterEach
    void tearDown() throws Exception {
        if (relay != null) {
            relay.close();
        }
        if (destination != null) {
            destination.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void signaturesAreQueuedInPostgresAndVerifyAfterDelivery() throws Exception {
        destination = TestSmtpServer.start(SmtpBehavior.plain());
        dns = ExampleDestination.dns();
        SenderKeys keys = SenderKeys.create(dir);
        String spool = NodeDatabase.of(db)
                .spoolYaml(dir, Duration.ofSeconds(10), Duration.ofSeconds(2));
        relay = RunningRelay.start(dir, "", spool,
                RunningRelay.signedDnsDeliveryYaml(dns, dir, destination.port()) + keys.yaml());

        String reply = SmtpSubmission.send(relay.smtpPort(), "app@sender.test", List.of("bob@example.test"),
                "From: app@sender.test\r\nTo: bob@example.test\r\nSubject: via postgres\r\n\r\nbody\r\n");

        assertThat(reply).startsWith("250");
        assertThat(destination.awaitTransactions(1, Duration.ofSeconds(30))).isTrue();
        List<DkimVerifier.Result> results = keys.verifier().verify(destination.transactions().get(0).data());
        assertThat(results).extracting(DkimVerifier.Result::selector).containsExactly("rsa1", "ed1");
        assertThat(results).allSatisfy(r -> assertThat(r.failure()).isEmpty());
    }
}
