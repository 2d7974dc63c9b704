package io.stsdane.relay.server.crash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability promise, tested the only honest way: the relay runs as {@code relay run} in its own JVM and
 * is killed with SIGKILL (no shutdown hook, no flush) while SMTP sessions submit and the queue delivers.
 * Every message that got 250 after DATA must reach the destination MX after a restart on the same spool;
 * delivery is at-least-once, so a kill between the MX's 250 and the durable "delivered" state may deliver a
 * message twice, and the test reports those duplicates and bounds them.
 */
class RelayCrashTest {

    private static final int SESSIONS = 8;
    private static final int ROUNDS = 5;
    /**
     * A kill can only duplicate deliveries in flight at that instant, and the queue runs at most 20 at once
     * (its default concurrency), whatever the number of client sessions.
     */
    private static final int MAX_IN_FLIGHT_DELIVERIES = 20;

    @TempDir
    Path dir;

    private CrashRig rig;
    private RelayProcess relay;

    @BeforeEach
    void setUp() throws Exception {
        rig = CrashRig.create(dir);
    }

    @AfterEach
    void tearDown() {
        if (relay != null) {
            relay.destroy();
        }
        rig.close();
    }

    @Test
    void everyAcknowledgedMessageArrivesDespiteRepeatedKill9DuringConcurrentSubmission() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        rig.startDestination();
        relay = rig.startRelay();

        Set<String> acknowledged;
        try (Submitters clients = Submitters.start(rig.smtpPort(), SESSIONS)) {
            for (int round = 1; round <= ROUNDS; round++) {
                awaitNewAcknowledgements(clients);
                // A random instant: sessions are mid-DATA, mid-fsync, just answered; deliveries (which start
                // about a second after a restart) mid-flight or just recorded.
                Thread.sleep(500 + random.nextInt(2500));
                relay.kill9();
                System.out.printf("crash test: kill -9 #%d with %d acknowledged, %d arrived so far%n", round,
                        clients.acknowledgedCount(), rig.arrivals().size());
                relay = rig.startRelay();
            }
            awaitNewAcknowledgements(clients);
            clients.close();
            acknowledged = clients.acknowledged();
            System.out.printf("crash test (seed %d): %d rounds of kill -9, %d sessions, %s%n", seed, ROUNDS,
                    SESSIONS, clients.summary());
        }

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> rig.arrivals().keySet().containsAll(acknowledged));
        await().atMost(Duration.ofSeconds(30)).until(() -> rig.spoolEntries().isEmpty());

        Map<String, Integer> arrivals = rig.arrivals();
        Set<String> duplicated = new TreeSet<>();
        arrivals.forEach((id, count) -> {
            if (count > 1) {
                duplicated.add(id + " x" + count);
            }
        });
        int duplicates = arrivals.values().stream().mapToInt(c -> c - 1).sum();
        Set<String> unacknowledgedButDelivered = new TreeSet<>(arrivals.keySet());
        unacknowledgedButDelivered.removeAll(acknowledged);
        System.out.printf("crash test: %d distinct messages delivered, %d duplicate deliveries %s,"
                + " %d delivered without their client seeing 250 %s%n", arrivals.size(), duplicates, duplicated,
                unacknowledgedButDelivered.size(), unacknowledgedButDelivered);

        relay.log().lines().filter(l -> l.contains("Queue recovered") || l.contains("WARN") || l.contains("ERROR"))
                .forEach(l -> System.out.println("relay: " + l));

        assertThat(arrivals.keySet()).containsAll(acknowledged);
        assertThat(rig.quarantined()).as("a kill never leaves a corrupt spool entry").isEmpty();
        assertThat(duplicates).as("duplicate deliveries after %d kills", ROUNDS)
                .isLessThanOrEqualTo(ROUNDS * MAX_IN_FLIGHT_DELIVERIES);
        assertThat(relay.log()).as("every restart recovered the spool")
                .containsPattern("(?s)(Queue recovered.*){" + (ROUNDS + 1) + "}");
        assertStopsCleanlyOnSigterm();
    }

    @Test
    void aMessageAcknowledgedJustBeforeKill9IsOnDiskAndDeliveredAfterRestart() throws Exception {
        // The destination MX is down until after the crash: whatever arrives later came from the spool.
        relay = rig.startRelay();

        String reply = CrashRig.submit(rig.smtpPort(), "acked-then-killed");
        relay.kill9();

        assertThat(reply).startsWith("250");
        List<Path> spooled = rig.spoolEntries();
        assertThat(spooled).as("the spool right after the kill")
                .anyMatch(p -> p.getFileName().toString().endsWith(".msg"));
        rig.startDestination();
        relay = rig.startRelay();
        await().atMost(Duration.ofSeconds(30)).until(() -> rig.arrivals().containsKey("acked-then-killed"));
        await().atMost(Duration.ofSeconds(10)).until(() -> rig.spoolEntries().isEmpty());
        assertThat(rig.arrivals()).containsExactly(Map.entry("acked-then-killed", 1));
        assertStopsCleanlyOnSigterm();
    }

    private static void awaitNewAcknowledgements(Submitters clients) {
        int before = clients.acknowledgedCount();
        await().atMost(Duration.ofSeconds(30)).until(() -> clients.acknowledgedCount() > before);
    }

    /** SIGTERM runs the shutdown hook: the listener closes first, the queue last, and the JVM ends. */
    private void assertStopsCleanlyOnSigterm() throws InterruptedException {
        relay.terminate();
        String log = relay.log();
        assertThat(log).contains("Shutting down");
        assertThat(log.substring(log.lastIndexOf("Shutting down")))
                .containsSubsequence("Stopping smtp-listener", "Stopping queue", "Stopping delivery-engine");
        relay = null;
    }
}
