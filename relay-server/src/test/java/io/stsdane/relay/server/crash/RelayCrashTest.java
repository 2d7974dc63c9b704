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
import java.util.regex.Pattern;
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

    /**
     * Errors the queue logs when a stop interrupts it under load, harmless to the mail but misleading to an
     * operator (reported to the queue's owner): a session cut mid-DATA by the listener's stop shows as "could not
     * spool message ... (check free space and permissions of spool.dir): Socket closed", and the scheduler
     * interrupted mid-read by the queue's close as "cannot read queued message ...: ClosedByInterruptException".
     * They come only from the spool's own logger; any other error fails the test.
     */
    private static final Pattern QUEUE_STOP_NOISE = Pattern.compile(
            " ERROR \\[[^]]+] i\\.s\\.r\\.q\\.i\\.FileQueueStore - (could not spool message .*(Socket|Stream) closed"
                    + "|cannot read queued message .*ClosedByInterruptException)$");

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
            acknowledged = finishSubmitting(clients);
            System.out.printf("crash test (seed %d): %d rounds of kill -9, %d sessions, %s%n", seed, ROUNDS,
                    SESSIONS, clients.summary());
        }

        int duplicates = awaitEveryAcknowledgedMessageDelivered(acknowledged);
        assertThat(duplicates).as("duplicate deliveries after %d kills", ROUNDS)
                .isLessThanOrEqualTo(ROUNDS * MAX_IN_FLIGHT_DELIVERIES);
        assertThat(relay.log()).as("every restart recovered the spool")
                .containsPattern("(?s)(Queue recovered.*){" + (ROUNDS + 1) + "}");
        assertStopsCleanlyOnSigterm(false);
    }

    @Test
    void sigtermDuringConcurrentSubmissionStopsInOrderAndLosesNothing() throws Exception {
        rig.startDestination();
        relay = rig.startRelay();

        Set<String> acknowledged;
        try (Submitters clients = Submitters.start(rig.smtpPort(), SESSIONS)) {
            awaitNewAcknowledgements(clients);
            Thread.sleep(1500);
            assertStopsCleanlyOnSigterm(true);
            relay = rig.startRelay();
            acknowledged = finishSubmitting(clients);
            System.out.printf("sigterm test: %d sessions, %s%n", SESSIONS, clients.summary());
        }

        int duplicates = awaitEveryAcknowledgedMessageDelivered(acknowledged);
        assertThat(duplicates).as("duplicate deliveries after one SIGTERM")
                .isLessThanOrEqualTo(MAX_IN_FLIGHT_DELIVERIES);
    }

    @Test
    void aMessageAcknowledgedJustBeforeKill9IsOnDiskAndDeliveredAfterRestart() throws Exception {
        // The destination MX is down until after the crash: whatever arrives later came from the spool.
        relay = rig.startRelay();

        String reply = CrashRig.submit(rig.smtpPort(), "acked-then-killed");
        relay.kill9();

        assertThat(reply).startsWith("250");
        assertThat(rig.queuedInStoppedSpool()).as("messages in the spool right after the kill").isEqualTo(1);
        rig.startDestination();
        relay = rig.startRelay();
        await().atMost(Duration.ofSeconds(30)).until(() -> rig.arrivals().containsKey("acked-then-killed"));
        await().atMost(Duration.ofSeconds(10)).until(() -> rig.queuedMessages() == 0);
        assertThat(rig.arrivals()).containsExactly(Map.entry("acked-then-killed", 1));
        assertStopsCleanlyOnSigterm(false);
    }

    /** Lets the restarted relay acknowledge some more, then stops the sessions; returns every id that got 250. */
    private static Set<String> finishSubmitting(Submitters clients) throws InterruptedException {
        awaitNewAcknowledgements(clients);
        clients.close();
        return clients.acknowledged();
    }

    /**
     * Waits until every acknowledged message arrived and the spool is empty, prints the figures, asserts
     * nothing was lost or quarantined, and returns the number of duplicate deliveries.
     */
    private int awaitEveryAcknowledgedMessageDelivered(Set<String> acknowledged) throws Exception {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> rig.arrivals().keySet().containsAll(acknowledged));
        await().atMost(Duration.ofSeconds(30)).until(() -> rig.queuedMessages() == 0);

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
        System.out.printf("%d acknowledged, %d distinct messages delivered, %d duplicate deliveries %s,"
                + " %d delivered without their client seeing 250 %s%n", acknowledged.size(), arrivals.size(),
                duplicates, duplicated, unacknowledgedButDelivered.size(), unacknowledgedButDelivered);
        relay.log().lines().filter(l -> l.contains("Queue recovered") || l.contains("WARN") || l.contains("ERROR"))
                .forEach(l -> System.out.println("relay: " + l));

        assertThat(arrivals.keySet()).containsAll(acknowledged);
        assertThat(rig.quarantined()).as("a stop never leaves a corrupt spool entry").isEmpty();
        return duplicates;
    }

    private static void awaitNewAcknowledgements(Submitters clients) {
        int before = clients.acknowledgedCount();
        await().atMost(Duration.ofSeconds(30)).until(() -> clients.acknowledgedCount() > before);
    }

    /**
     * SIGTERM runs the shutdown hook: the listener closes first, the queue and the delivery engine last, and the
     * JVM ends as a SIGTERM-ed JVM does (128 + 15). An idle relay logs no error on the way; one under load only
     * the queue's {@link #QUEUE_STOP_NOISE}.
     */
    private void assertStopsCleanlyOnSigterm(boolean underLoad) throws InterruptedException {
        int status = relay.terminate();
        String log = relay.log();
        assertThat(log).contains("Shutting down");
        String shutdown = log.substring(log.lastIndexOf("Shutting down"));
        System.out.println("relay after SIGTERM:\n" + shutdown);
        assertThat(shutdown)
                .containsSubsequence("Stopping smtp-listener", "Stopping queue", "Stopping delivery-engine");
        assertThat(shutdown.lines().filter(l -> l.contains(" ERROR ")))
                .allMatch(l -> underLoad && QUEUE_STOP_NOISE.matcher(l).find());
        assertThat(status).isEqualTo(143);
        relay = null;
    }
}
