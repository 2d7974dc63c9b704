package io.stsdane.relay.server.admin;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The admin HTTP server's workers, with a deadline for reading each request. The JDK server hands a connection to
 * a worker as soon as its first bytes arrive and then reads the request line and headers on that worker, without
 * any time limit: a client that sends half a request holds a worker for ever. Here each exchange must reach its
 * handler (which calls {@link #requestRead()}) within the deadline, or its worker is interrupted, which closes
 * the connection (the socket channel is interruptible). Thread-safe.
 */
final class RequestDeadlines implements Executor, AutoCloseable {

    private final ExecutorService workers;
    private final ScheduledExecutorService watchdog;
    private final long deadlineNanos;
    private final Set<Exchange> running = ConcurrentHashMap.newKeySet();
    private final ThreadLocal<Exchange> current = new ThreadLocal<>();

    /** One exchange on its worker; the lock orders its end with the watchdog's interrupt. */
    private static final class Exchange {
        final Thread worker = Thread.currentThread();
        final long deadline;
        boolean read;
        boolean cut;

        Exchange(long deadline) {
            this.deadline = deadline;
        }

        synchronized boolean finishReading() {
            if (!cut) {
                read = true;
            }
            return !cut;
        }

        synchronized void cutIfLate(long now) {
            if (!read && !cut && now - deadline >= 0) {
                cut = true;
                worker.interrupt();
            }
        }
    }

    RequestDeadlines(int threads, Duration deadline) {
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(threads, r -> daemon(r, "admin-http-" + n.incrementAndGet()));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "admin-http-deadlines"));
        this.deadlineNanos = deadline.toNanos();
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.SECONDS.toNanos(1),
                deadlineNanos / 4));
        watchdog.scheduleWithFixedDelay(this::cutLate, period, period, TimeUnit.NANOSECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void execute(Runnable exchange) {
        workers.execute(() -> {
            Exchange e = new Exchange(System.nanoTime() + deadlineNanos);
            running.add(e);
            current.set(e);
            try {
                exchange.run();
            } finally {
                e.finishReading();
                running.remove(e);
                current.remove();
                // An interrupt that cut this exchange must not reach the next one on this worker.
                Thread.interrupted();
            }
        });
    }

    /**
     * Called by the handler on entry: the request line and headers are read, the deadline no longer applies.
     *
     * @return false when the deadline has already cut this exchange (its connection is closed)
     */
    boolean requestRead() {
        Exchange e = current.get();
        return e == null || e.finishReading();
    }

    private void cutLate() {
        long now = System.nanoTime();
        for (Exchange e : running) {
            e.cutIfLate(now);
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        workers.shutdownNow();
    }
}
