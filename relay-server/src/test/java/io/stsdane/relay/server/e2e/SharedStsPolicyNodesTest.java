package io.stsdane.relay.server.e2e;

import static io.stsdane.relay.server.e2e.RelayWorld.awaitDelivery;
import static io.stsdane.relay.server.e2e.RelayWorld.policy;
import static io.stsdane.relay.server.e2e.RelayWorld.selfSigned;
import static io.stsdane.relay.server.e2e.RelayWorld.startTls;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.server.cluster.NodeDatabase;
import io.stsdane.relay.testkit.postgres.TestDatabase;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: an MTA-STS policy fetched by one relay node is enforced by another node of the cluster that never
 * fetched it. Whole relays on one PostgreSQL schema. Without the
 * shared cache the second node, whose fetch fails, would deliver as if the domain had no policy (RFC 8461 §5.1)
 * to an MX presenting a certificate that does not authenticate it.
 */
class SharedStsPolicyNodesTest {

    @RegisterExtension
    final TestDatabase db = new TestDatabase();
    @TempDir
    Path dir;

    @AutoClose
    private RelayWorld world;

    @Test
    void aPolicyFetchedByOneNodeIsEnforcedByAnotherWhileThePolicyHostIsDown() throws Exception {
        Path nodeA = Files.createDirectories(dir.resolve("a"));
        world = new RelayWorld(nodeA, List.of("shared.test"), "", "",
                NodeDatabase.of(db).spoolYaml(nodeA, Duration.ofSeconds(10), Duration.ofSeconds(5)));
        Destination d = world.secureDestination("shared");
        world.stsPolicy(d.zone(), d.domain(), "v1", policy("enforce", d.host()));
        TestSmtpServer good = world.mx(d.address(), startTls(world.webPkiCertificate(d.host())));
        world.submit(d.rcpt());
        assertThat(awaitDelivery(good).tls()).isTrue();
        assertThat(world.policyRequests(d.domain())).as("fetches by node a").isEqualTo(1);
        good.close();

        // Node a goes; node b, with nothing cached locally, cannot fetch (new id, policy host down) and the MX
        // now presents a certificate only an opportunistic sender would accept.
        world.stsPolicy(d.zone(), d.domain(), "v2", policy("enforce", d.host()));
        world.stsPolicyHostDown(d.domain());
        TestSmtpServer impostor = world.mx(d.address(), startTls(selfSigned(d.host())));
        world.replaceRelayWithNewNode("b");

        String id = world.submit(d.rcpt());

        world.awaitPolicyDeferral(id, d.rcpt(), impostor);
        assertThat(world.policyRequests(d.domain())).as("node b tried to fetch the new policy").isGreaterThan(1);
    }
}
