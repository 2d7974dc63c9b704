package io.stsdane.relay.smtp.outbound.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.smtp.outbound.HostsFile;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** MX ordering rules (RFC 5321 §5.1): preference, shuffled ties, never to ourselves or worse. */
class RoutePlannerTest {

    /** A resolver whose only answer is the signed MX RRset {@code records} of example.com. */
    private static DnsResolver mx(MxRecord... records) {
        return new InMemoryDnsResolver().mx("example.com", DnsSecurity.SECURE, records);
    }

    private static RoutePlanner.Plan plan(RoutePlanner planner) {
        return planner.plan("example.com").toCompletableFuture().join();
    }

    private static RoutePlanner.Plan plan(DnsResolver dns, String me) {
        return plan(new RoutePlanner(dns, null, HostsFile.parse(""), 25, me, new Random(1)));
    }

    private static List<String> hosts(RoutePlanner.Plan p) {
        return ((RoutePlanner.Plan.Hosts) p).hosts().stream().map(MxHost::name).toList();
    }

    @Test
    void hostsAreOrderedByPreferenceAndTiesAreShuffled() {
        DnsResolver dns = mx(new MxRecord(20, "c"), new MxRecord(10, "a"), new MxRecord(10, "b"),
                new MxRecord(30, "d"));
        RoutePlanner planner = new RoutePlanner(dns, null, HostsFile.parse(""), 25, "relay.test", new Random(42));
        Set<List<String>> orders = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            List<String> h = hosts(plan(planner));
            assertThat(h.subList(2, 4)).containsExactly("c", "d");
            orders.add(h.subList(0, 2));
        }
        assertThat(orders).containsExactlyInAnyOrder(List.of("a", "b"), List.of("b", "a"));
    }

    @Test
    void whenWeAreAnMxOnlyMorePreferredHostsAreUsed() {
        DnsResolver dns = mx(new MxRecord(10, "a"), new MxRecord(20, "relay.test"), new MxRecord(30, "c"));
        assertThat(hosts(plan(dns, "relay.test"))).containsExactly("a");
    }

    @Test
    void whenWeAreTheBestMxTheMessageBouncesAsALoop() {
        DnsResolver dns = mx(new MxRecord(10, "relay.test"), new MxRecord(20, "b"));
        assertThat(plan(dns, "relay.test")).isInstanceOfSatisfying(RoutePlanner.Plan.Final.class, f -> {
            assertThat(f.kind()).isEqualTo(RecipientOutcome.Kind.BOUNCED);
            assertThat(f.status()).isEqualTo("5.4.6");
        });
    }

    @Test
    void aNullMxAmongRealMxRecordsIsIgnored() {
        DnsResolver dns = mx(new MxRecord(0, ""), new MxRecord(10, "a"));
        assertThat(hosts(plan(dns, "relay.test"))).containsExactly("a");
    }
}
