package io.stsdane.relay.server.e2e;

import static io.stsdane.relay.server.e2e.RelayWorld.awaitDelivery;
import static io.stsdane.relay.server.e2e.RelayWorld.policy;
import static io.stsdane.relay.server.e2e.RelayWorld.selfSigned;
import static io.stsdane.relay.server.e2e.RelayWorld.startTls;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 8461 §5.1 and §10.2: a policy that only lived in memory could be stripped by an attacker who blocks the
 * policy host after a restart. The relay must keep enforcing the policy it cached on disk.
 */
class StsPolicyCacheRestartTest {

    @TempDir
    Path dir;

    @AutoClose
    private RelayWorld world;

    @Test
    void aCachedEnforcePolicyIsStillEnforcedAfterARestartWhileThePolicyHostIsDown() throws Exception {
        world = new RelayWorld(dir, List.of("cached.test"), "");
        Destination d = world.secureDestination("cached");
        world.stsPolicy(d.zone(), d.domain(), "v1", policy("enforce", d.host()));
        TestSmtpServer good = world.mx(d.address(), startTls(world.webPkiCertificate(d.host())));
        world.submit(d.rcpt());
        assertThat(awaitDelivery(good).tls()).isTrue();
        good.close();

        // A new policy id invites a refetch, which fails: the policy host is down. The MX now presents a
        // certificate only an opportunistic sender would accept.
        world.stsPolicy(d.zone(), d.domain(), "v2", policy("enforce", d.host()));
        world.stsPolicyHostDown(d.domain());
        TestSmtpServer impostor = world.mx(d.address(), startTls(selfSigned(d.host())));
        world.restartRelay();

        String id = world.submit(d.rcpt());

        world.awaitPolicyDeferral(id, d.rcpt(), impostor);
    }
}
