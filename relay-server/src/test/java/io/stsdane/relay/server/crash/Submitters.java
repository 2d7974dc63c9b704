package io.stsdane.relay.server.crash;

import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Concurrent SMTP sessions that submit one uniquely named message after another until stopped, whether the
 * relay is up, dying or restarting. A message counts as acknowledged only when its final dot got 250: only
 * those does the relay promise to deliver. Thread-safe.
 */
final class Submitters implements AutoCloseable {

    private final int port;
    private final List<Thread> sessions;
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger cut = new AtomicInteger();
    private final AtomicInteger negative = new AtomicInteger();
    private final AtomicInteger attempted = new AtomicInteger();
    private volatile boolean running = true;

    private Submitters(int port, int count) {
        this.port = port;
        this.sessions = IntStream.range(0, count)
                .mapToObj(i -> new Thread(() -> submitUntilStopped(i), "submitter-" + i))
                .toList();
    }

    static Submitters start(int port, int count) {
        Submitters s = new Submitters(port, count);
        s.sessions.forEach(Thread::start);
        return s;
    }

    private void submitUntilStopped(int session) {
        for (int n = 0; running; n++) {
            String id = "s" + session + "-" + n;
            attempted.incrementAndGet();
            try {
                String reply = CrashRig.submit(port, id);
                if (reply.startsWith("250")) {
                    acknowledged.add(id);
                } else if (reply.isEmpty()) {
                    cut.incrementAndGet();
                } else {
                    negative.incrementAndGet();
                }
            } catch (ConnectException relayDown) {
                refused.incrementAndGet();
                pause();
            } catch (IOException relayDying) {
                cut.incrementAndGet();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ids whose submission got 250 so far. */
    Set<String> acknowledged() {
        return Set.copyOf(acknowledged);
    }

    int acknowledgedCount() {
        return acknowledged.size();
    }

    /** What happened to the submissions, for the test's report. */
    String summary() {
        return ("%d submissions: %d got 250, %d were cut off by the relay stopping, %d got a negative reply,"
                + " %d found the relay down")
                .formatted(attempted.get(), acknowledged.size(), cut.get(), negative.get(), refused.get());
    }

    /** Stops submitting and waits for every session's current submission to end. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : sessions) {
            t.join(60_000);
        }
    }
}
