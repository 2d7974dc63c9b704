package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.delivery.DeliveryAgent;
import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.delivery.OutcomeScope;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.util.Futures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases due messages from the store and hands them to the delivery agent, one request per destination
 * domain, with about {@code concurrency} delivery requests in flight (a message is leased while a slot is
 * free and takes one slot per domain, so the limit can be passed by one message's domains); applies the
 * outcomes, queues the DSNs they call for and removes finished messages.
 *
 * <p>Threads: one timer thread leases and dispatches (it wakes every poll interval and when
 * {@link #wake()} is called); outcomes are applied on a small worker pool because that means disk writes.
 * Thread-safe.
 */
public final class Scheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    /**
     * After a DSN could not be queued, or a message could not be dispatched or finished (disk full, I/O error),
     * try it again this much later rather than at once: an immediate retry would spin and, for messages already
     * delivered, send the same mail again and again.
     */
    private static final Duration TROUBLE_RETRY = Duration.ofMinutes(1);
    private static final Duration SHUTDOWN_DRAIN = Duration.ofSeconds(10);
    /** Messages leased per round trip to the store, at most (and never more than free delivery slots). */
    private static final int LEASE_BATCH = 16;
    /** How often delivery results that could not be written are written again, and for how long at most. */
    private static final Duration RESULTS_RETRY = Duration.ofSeconds(2);
    private static final Duration RESULTS_KEPT = Duration.ofMinutes(10);

    private final QueueStore store;
    private final DeliveryAgent agent;
    private final StateTransitions transitions;
    private final DomainBackoff backoff;
    private final DomainSuspensions suspensions;
    private final DsnComposer dsn;
    private final Supplier<QueueId> ids;
    private final int concurrency;
    private final Duration pollInterval;
    private final Clock clock;
    private final QueueMetrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final ScheduledExecutorService timer;
    private final ExecutorService workers;
    private volatile boolean closed;

    public Scheduler(QueueStore store, DeliveryAgent agent, StateTransitions transitions, DomainBackoff backoff,
            DomainSuspensions suspensions, DsnComposer dsn, Supplier<QueueId> ids, int concurrency, Duration pollInterval, Clock clock,
            QueueMetrics metrics) {
        this.store = store;
        this.agent = agent;
        this.transitions = transitions;
        this.backoff = backoff;
        this.suspensions = suspensions;
        this.dsn = dsn;
        this.ids = ids;
        this.concurrency = concurrency;
        this.pollInterval = pollInterval;
        this.clock = clock;
        this.metrics = metrics;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "queue-scheduler"));
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(Math.min(concurrency, store.resultWriters()),
                r -> daemon(r, "queue-worker-" + n.incrementAndGet()));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::tick, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Look for due messages now (new mail, admin action, a slot became free). Wakes while a look is already
     * queued share it: one task in the timer's queue at a time, not one per accepted message.
     */
    public void wake() {
        if (!timer.isShutdown() && wakePending.compareAndSet(false, true)) {
            try {
                timer.execute(this::wokenTick);
            } catch (RejectedExecutionException e) {
                wakePending.set(false); // closing
            }
        }
    }

    /** A look {@link #wake()} asked for: a wake from now on queues another, so nothing due is missed. */
    private void wokenTick() {
        wakePending.set(false);
        tick();
    }

    private void tick() {
        try {
            int free;
            // A batch at a time: with the PostgreSQL store each lease is a transaction and a commit, so a finished
            // delivery does not lease its one successor alone while others are still running.
            int floor = Math.min(store.leaseBatchFloor(), Math.max(1, concurrency / 4));
            while (!closed && (free = concurrency - inFlight.get()) >= (inFlight.get() == 0 ? 1 : floor)) {
                // One lease round trip for a batch: with the PostgreSQL store each round trip is a transaction,
                // and one message per transaction capped a node at a few hundred messages per second.
                List<StoredMessage> leased = store.leaseDue(clock.instant(), Math.min(free, LEASE_BATCH));
                if (leased.isEmpty()) {
                    return;
                }
                for (StoredMessage m : leased) {
                    // A message takes one slot per domain, so a batch can hold more than the free slots.
                    if (closed || inFlight.get() >= concurrency) {
                        store.releaseLease(m.id());
                    } else {
                        dispatch(m);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.error("queue scheduler tick failed; retrying at the next tick", e);
        }
    }

    private void dispatch(StoredMessage m) {
        try {
            Instant now = clock.instant();
            Map<String, List<Integer>> byDomain = new LinkedHashMap<>();
            for (int i = 0; i < m.state().recipients().size(); i++) {
                RecipientState r = m.state().recipients().get(i);
                if (!r.isFinal() && !r.nextAttempt().isAfter(now)) {
                    byDomain.computeIfAbsent(m.envelope().recipients().get(i).domain(), d -> new ArrayList<>())
                            .add(i);
                }
            }
            // One slot per delivery request; a message that only owes DSNs takes one slot too.
            int slots = Math.max(1, byDomain.size());
            inFlight.addAndGet(slots);
            MessageContent content;
            try {
                content = byDomain.isEmpty() ? null : store.content(m.id());
            } catch (RuntimeException e) {
                inFlight.addAndGet(-slots);
                throw e;
            }
            List<CompletableFuture<List<DeliveryResult>>> rounds = new ArrayList<>();
            byDomain.forEach((domain, indexes) -> {
                // An operator's suspension first: it holds whatever the domain's recent results were.
                Optional<Instant> blocked = suspensions.postponedUntil(domain, now)
                        .or(() -> backoff.blockedUntil(domain, now));
                rounds.add(blocked.isPresent()
                        ? CompletableFuture.completedFuture(indexes.stream()
                                .<DeliveryResult>map(i -> new DeliveryResult.Postponed(i, blocked.get())).toList())
                        : deliver(m, domain, indexes, content));
            });
            CompletableFuture.allOf(rounds.toArray(CompletableFuture[]::new))
                    .thenRunAsync(() -> finish(m, rounds.stream().flatMap(f -> f.join().stream()).toList(), slots),
                            workers)
                    .exceptionally(e -> {
                        if (!closed) {
                            LOG.error("could not apply delivery results of {}; retrying in {}", m.id(),
                                    TROUBLE_RETRY, e);
                        }
                        end(m.id(), slots, false);
                        return null;
                    });
        } catch (RuntimeException e) {
            if (e instanceof UncheckedIOException u && u.getCause() instanceof CorruptEntryException c) {
                // The store has set the message aside and said why; it is not retried.
                LOG.warn("not dispatching {}: {}", m.id(), c.getMessage());
            } else if (!closed) {
                LOG.error("could not dispatch {}; retrying in {}", m.id(), TROUBLE_RETRY, e);
            }
            releaseLater(m.id());
        }
    }

    private CompletableFuture<List<DeliveryResult>> deliver(StoredMessage m, String domain, List<Integer> indexes,
            MessageContent content) {
        List<Recipient> rcpts = indexes.stream().map(m.envelope().recipients()::get).toList();
        CompletableFuture<List<RecipientOutcome>> outcome = new CompletableFuture<>();
        try {
            CompletionStage<List<RecipientOutcome>> stage =
                    agent.deliver(new DeliveryRequest(m.id(), m.envelope(), domain, rcpts, content));
            stage.whenComplete((v, e) -> {
                if (e != null) {
                    outcome.completeExceptionally(e);
                } else {
                    outcome.complete(v);
                }
            });
        } catch (RuntimeException e) {
            outcome.completeExceptionally(e);
        }
        return outcome.handle((outs, e) -> {
            List<DeliveryResult> results = match(m.id(), indexes, rcpts, outs, e);
            // Only the agent knows whether the destination failed or one recipient (a 450 to its RCPT says
            // nothing about the other mailboxes of the domain): the backoff follows the scope it reports.
            boolean destinationFailed = results.stream().anyMatch(r -> r instanceof DeliveryResult.Attempted a
                    && a.outcome().kind() == RecipientOutcome.Kind.DEFERRED
                    && a.outcome().scope() == OutcomeScope.DESTINATION);
            backoff.record(domain, destinationFailed, clock.instant());
            return results;
        });
    }

    /**
     * One result per recipient. The agent promises one outcome per recipient and never to fail; if it
     * breaks that promise the recipients concerned are deferred, never lost.
     */
    private static List<DeliveryResult> match(QueueId id, List<Integer> indexes, List<Recipient> rcpts,
            List<RecipientOutcome> outs, Throwable error) {
        List<RecipientOutcome> left = outs == null ? new ArrayList<>() : new ArrayList<>(outs);
        if (error != null) {
            LOG.warn("delivery of {} failed with an exception; deferring its recipients", id, error);
        }
        List<DeliveryResult> results = new ArrayList<>();
        for (int j = 0; j < indexes.size(); j++) {
            Recipient r = rcpts.get(j);
            RecipientOutcome o = left.stream().filter(x -> x.recipient().equals(r)).findFirst().orElse(null);
            if (o == null) {
                String why = error != null ? "delivery failed: " + error : "delivery agent reported no outcome";
                o = RecipientOutcome.deferred(r, OutcomeScope.MESSAGE, "4.4.0", why, "");
            } else {
                left.remove(o);
            }
            results.add(new DeliveryResult.Attempted(indexes.get(j), o));
        }
        return results;
    }

    private void finish(StoredMessage m, List<DeliveryResult> results, int slots) {
        try {
            record(m, results, clock.instant(), System.nanoTime() + RESULTS_KEPT.toNanos(), false);
        } finally {
            inFlight.addAndGet(-slots);
            wake();
        }
    }

    /**
     * Writes a delivery round's results and releases the message. Results that cannot be written (database
     * down, disk full) are kept and written again every {@link #RESULTS_RETRY}, the message still leased: had
     * they been dropped, the recipients would be tried again and get the message twice. After
     * {@link #RESULTS_KEPT} they are given up and the message released: at least once, never lost. Writing
     * them twice (a lost commit acknowledgement) is harmless: final recipients keep their first outcome.
     *
     * @param now when the round ended: the time of the attempts, and what their retry times count from
     */
    private void record(StoredMessage m, List<DeliveryResult> results, Instant now, long giveUpAt, boolean retry) {
        Optional<MessageState> after;
        try {
            after = store.updateOrRemove(m.id(), cur -> transitions.apply(cur, results, now));
        } catch (IOException | RuntimeException e) {
            if (closed) {
                return; // the lease lapses (or dies with the process); the recipients are tried again
            }
            if (System.nanoTime() - giveUpAt >= 0) {
                LOG.error("could not record delivery results of {} for {}; giving them up, its recipients are "
                        + "tried again and may get the message twice: {}", m.id(), RESULTS_KEPT, e.toString());
                store.releaseLease(m.id());
                return;
            }
            if (!retry) {
                LOG.error("could not record delivery results of {}; keeping them and trying again every {}: {}",
                        m.id(), RESULTS_RETRY, e.toString());
            }
            recordLater(m, results, now, giveUpAt);
            return;
        }
        if (retry) {
            LOG.info("recorded the delivery results of {} kept since they could not be written", m.id());
        }
        finishRecorded(m, results, after, clock.instant());
    }

    private void recordLater(StoredMessage m, List<DeliveryResult> results, Instant now, long giveUpAt) {
        try {
            // Written on a worker: a store that is down can make a write wait, which must not hold the timer.
            timer.schedule(() -> workers.execute(() -> record(m, results, now, giveUpAt, true)),
                    RESULTS_RETRY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: the lease lapses (or dies with the process)
        }
    }

    /** Sends the DSNs the recorded results call for and removes a finished message; then releases it. */
    private void finishRecorded(StoredMessage m, List<DeliveryResult> results, Optional<MessageState> after,
            Instant now) {
        boolean reported = false;
        try {
            after.ifPresent(s -> metrics.recordResults(results, s));
            // updateOrRemove removed a message that was done; only one that is done after its DSNs is left.
            boolean removed = after.isPresent() && after.get().isDone();
            if (after.isPresent() && after.get().hasPendingReports()) {
                after = sendReports(m.id(), now);
            }
            reported = true;
            if (!removed && after.isPresent() && after.get().isDone()) {
                store.remove(m.id());
                LOG.debug("{} finished and removed from the queue", m.id());
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("could not finish {} after recording its delivery results; trying again in {}: {}",
                    m.id(), TROUBLE_RETRY, e.toString());
        } finally {
            if (reported) {
                store.releaseLease(m.id());
            } else {
                releaseLater(m.id());
            }
        }
    }

    /** Queues the owed DSN first, then clears the reports: a crash in between repeats the DSN, never loses it. */
    private Optional<MessageState> sendReports(QueueId id, Instant now) throws IOException {
        try {
            return store.update(id, cur -> {
                if (!cur.state().hasPendingReports()) {
                    return cur.state();
                }
                QueueId dsnId = ids.get();
                DsnComposer.Dsn d = dsn.compose(cur, store.content(id), dsnId, now);
                try (InputStream in = d.content()) {
                    store.enqueue(dsnId, d.envelope(), in);
                } catch (IntakeException e) {
                    throw new IOException("could not queue DSN " + dsnId + ": " + e.getMessage(), e);
                }
                LOG.info("{}: queued DSN {} to <{}>", id, dsnId, cur.envelope().sender());
                metrics.dsnQueued();
                return cur.state().mapRecipients(r -> r.withReport(RecipientState.Report.NONE, r.delayWarned()))
                        .withReportDue(null);
            });
        } catch (IOException e) {
            LOG.warn("{}: DSN not queued, trying again in {}: {}", id, TROUBLE_RETRY, e.getMessage());
            return store.update(id, cur -> cur.state().withReportDue(now.plus(TROUBLE_RETRY)));
        }
    }

    private void end(QueueId id, int slots, boolean recorded) {
        inFlight.addAndGet(-slots);
        if (recorded) {
            store.releaseLease(id);
        } else {
            releaseLater(id);
        }
        wake();
    }

    private void awaitDeliveriesInFlight() throws InterruptedException {
        long deadline = System.nanoTime() + SHUTDOWN_DRAIN.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        int left = inFlight.get();
        if (left > 0) {
            LOG.warn("{} deliveries still in flight at shutdown; they are tried again after the restart", left);
        }
    }

    /** Keeps the message leased, so not retried, for a while (wall-clock time: this is about the machine). */
    private void releaseLater(QueueId id) {
        try {
            timer.schedule(() -> store.releaseLease(id), TROUBLE_RETRY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: the lease dies with the process
        }
    }

    /**
     * Stops leasing, lets a tick in progress finish (interrupting it would abort a spool read half-way), and
     * waits up to {@link #SHUTDOWN_DRAIN} for deliveries in flight to record their outcome, so a graceful stop
     * does not send them again after a restart.
     */
    @Override
    public void close() {
        closed = true;
        try {
            Futures.await(CompletableFuture.runAsync(() -> { }, timer), SHUTDOWN_DRAIN);
            awaitDeliveriesInFlight();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException | CompletionException | RejectedExecutionException e) {
            LOG.warn("queue scheduler did not finish its last pass: {}", e.toString());
        }
        timer.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
