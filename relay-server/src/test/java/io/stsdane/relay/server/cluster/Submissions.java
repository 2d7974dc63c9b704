package io.stsdane.relay.server.cluster;

import java.io.IOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * SMTP clients that submit one uniquely named message after another to several relay nodes in turn until
 * closed, recording for each submission the phase of the database (set by the test) when it began and when it
 * ended, and how it ended. Thread-safe.
 */
final class Submissions implements AutoCloseable {

    /** Where the test is with the database, in order. */
    enum Phase { UP, STOPPING, DOWN, STARTING, RECOVERED }

    /**
     * One submission: its {@code X-Test-Id}, the index of the node it went to, the phases it began and ended in,
     * and the relay's last reply ({@code 250 ...}, {@code 451 ...}) or, if the session failed, the exception.
     */
    record Attempt(String id, int node, Phase began, Phase ended, String reply) {
        boolean accepted() {
            return reply.startsWith("250");
        }

        /** Began and ended while the database was stopped. */
        boolean duringOutage() {
            return began == Phase.DOWN && ended == Phase.DOWN;
        }
    }

    private final List<Integer> ports;
    private final List<Thread> clients;
    private final Queue<Attempt> attempts = new ConcurrentLinkedQueue<>();
    private volatile Phase phase = Phase.UP;
    private volatile boolean running = true;

    private Submissions(List<Integer> ports, int clients) {
        this.ports = List.copyOf(ports);
        this.clients = IntStream.range(0, clients)
                .mapToObj(i -> new Thread(() -> submitUntilClosed(i), "submitter-" + i))
                .toList();
    }

    /** Starts {@code clients} threads, each submitting to the nodes listening on {@code ports} in turn. */
    static Submissions start(List<Integer> ports, int clients) {
        Submissions s = new Submissions(ports, clients);
        s.clients.forEach(Thread::start);
        return s;
    }

    void phase(Phase now) {
        phase = now;
    }

    private void submitUntilClosed(int client) {
        for (int n = 0; running; n++) {
            String id = "c" + client + "-" + n;
            int node = (client + n) % ports.size();
            Phase began = phase;
            String reply;
            try {
                reply = ClusterRig.submit(ports.get(node), id);
            } catch (IOException e) {
                reply = "session failed: " + e;
            }
            attempts.add(new Attempt(id, node, began, phase, reply));
            pause();
        }
    }

    /** Paces each client a little, so the run submits hundreds of messages rather than thousands. */
    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    List<Attempt> attempts() {
        return List.copyOf(attempts);
    }

    long count(Predicate<Attempt> which) {
        return attempts.stream().filter(which).count();
    }

    /** Stops submitting and waits for every client's current submission to end. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : clients) {
            t.join(60_000);
        }
    }
}
