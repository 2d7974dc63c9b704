package io.stsdane.relay.server.cluster;

import io.stsdane.relay.testkit.postgres.TestDatabase;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.queue.PostgresSpool;
import io.stsdane.relay.sts.CachedPolicy;
import io.stsdane.relay.sts.PolicyStore;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared policy table against a real PostgreSQL. */
class PostgresPolicyStoreTest {

    private static final String TEXT = "version: STSv1\r\nmode: enforce\r\nmax_age: 86400\r\nmx: *.example.com\r\n";
    private static final Instant FETCHED = Instant.ofEpochMilli(1_700_000_000_123L);
    private static final CachedPolicy POLICY = PolicyStore.restore("example.com", "20240101", TEXT, FETCHED);

    @RegisterExtension
    final TestDatabase db = new TestDatabase();
    private final List<PostgresPolicyStore> stores = new ArrayList<>();

    @AfterEach
    void close() {
        stores.forEach(PostgresPolicyStore::close);
    }

    private PostgresPolicyStore store(String node) {
        return store(NodeDatabase.of(db).spool(node));
    }

    private PostgresPolicyStore store(PostgresSpool spool) {
        PostgresPolicyStore s = new PostgresPolicyStore(spool);
        stores.add(s);
        return s;
    }

    @Test
    void aPolicySavedByOneNodeIsLoadedByAnotherExactly() {
        assertThat(store("a").save(POLICY)).isTrue();

        PostgresPolicyStore b = store("b");

        assertThat(b.load("example.com")).contains(POLICY);
        assertThat(b.load("example.org")).isEmpty();
        assertThat(b.domains()).containsExactly("example.com");
    }

    @Test
    void theMostRecentlyFetchedPolicyWinsWhateverOrderNodesSaveIn() {
        CachedPolicy newer = PolicyStore.restore("example.com", "20240202", TEXT.replace("86400", "604800"),
                FETCHED.plusSeconds(60));
        PostgresPolicyStore a = store("a");
        PostgresPolicyStore b = store("b");

        a.save(newer);
        b.save(POLICY);

        assertThat(a.load("example.com")).contains(newer);
    }

    @Test
    void deletingAnExpiredPolicyKeepsTheFreshOneAnotherNodeStoredMeanwhile() {
        CachedPolicy fresh = PolicyStore.restore("example.com", "20240202", TEXT, FETCHED.plusSeconds(90_000));
        PostgresPolicyStore a = store("a");
        PostgresPolicyStore b = store("b");
        a.save(POLICY);
        b.save(fresh);

        a.delete(POLICY);
        assertThat(a.load("example.com")).contains(fresh);

        b.delete(fresh);
        assertThat(a.load("example.com")).isEmpty();
        assertThat(a.domains()).isEmpty();
    }

    @Test
    void aStoredTextThatNoLongerParsesIsIgnoredSoThePolicyIsFetchedAgain() throws Exception {
        PostgresPolicyStore a = store("a");
        a.save(POLICY);

        db.execute("UPDATE sts_policy SET policy_text = 'version: STSv1' WHERE domain = 'example.com'");

        assertThat(a.load("example.com")).isEmpty();
    }

    @Test
    void theTableIsCreatedNextToTablesAlreadyInTheSchemaSuchAsTheQueues() throws Exception {
        db.execute("CREATE SCHEMA " + db.schema());
        db.execute("CREATE TABLE queue_message (id text PRIMARY KEY)");

        PostgresPolicyStore a = store("a");

        assertThat(a.save(POLICY)).isTrue();
        assertThat(a.load("example.com")).contains(POLICY);
    }

    @Test
    void anUnreachableDatabaseReadsAsEmptyAndRefusesWritesWithoutThrowing() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        PostgresPolicyStore down = store(PostgresSpool.of("jdbc:postgresql://127.0.0.1:" + closedPort + "/none",
                "nobody", "").withConnectTimeout(Duration.ofMillis(500)));

        assertThat(down.load("example.com")).isEmpty();
        assertThat(down.save(POLICY)).isFalse();
        assertThat(down.domains()).isEmpty();
    }
}
