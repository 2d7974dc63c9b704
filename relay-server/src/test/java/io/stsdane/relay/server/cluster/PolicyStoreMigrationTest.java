package io.stsdane.relay.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.sts.CachedPolicy;
import io.stsdane.relay.sts.PolicyStore;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which cached MTA-STS policies move to the shared store when a node's spool is migrated. */
class PolicyStoreMigrationTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    @TempDir
    Path dir;

    @Test
    void copiesUnexpiredPoliciesUnlessTheTargetHasOneAsRecent() {
        PolicyStore source = PolicyStore.directory(dir.resolve("old-node"));
        PolicyStore target = PolicyStore.directory(dir.resolve("shared"));
        source.save(policy("fresh.example", "1", NOW.minusSeconds(60)));
        source.save(policy("stale-in-target.example", "2", NOW.minusSeconds(60)));
        source.save(policy("newer-in-target.example", "1", NOW.minusSeconds(600)));
        source.save(policy("expired.example", "1", NOW.minusSeconds(2 * 86_400)));
        target.save(policy("stale-in-target.example", "1", NOW.minusSeconds(3600)));
        target.save(policy("newer-in-target.example", "2", NOW.minusSeconds(60)));

        PolicyStoreMigration.Result r = PolicyStoreMigration.copy(source, target, NOW);

        assertThat(r).isEqualTo(new PolicyStoreMigration.Result(2, 1, 1, 0));
        assertThat(target.load("fresh.example")).map(CachedPolicy::id).contains("1");
        assertThat(target.load("stale-in-target.example")).map(CachedPolicy::id).contains("2");
        assertThat(target.load("newer-in-target.example")).map(CachedPolicy::id).contains("2");
        assertThat(target.load("expired.example")).isEmpty();
        assertThat(PolicyStoreMigration.unexpired(source, NOW)).isEqualTo(3);
    }

    private static CachedPolicy policy(String domain, String id, Instant fetched) {
        return PolicyStore.restore(domain, id,
                "version: STSv1\r\nmode: enforce\r\nmx: mx." + domain + "\r\nmax_age: 86400\r\n", fetched);
    }
}
