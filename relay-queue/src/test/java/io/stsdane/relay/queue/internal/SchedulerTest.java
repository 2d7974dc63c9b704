package io.stsdane.relay.queue.internal;

import io.stsdane.relay.testkit.time.MutableClock;

import static io.stsdane.relay.queue.TestMessages.bytes;
import static io.stsdane.relay.queue.TestMessages.envelope;
import static io.stsdane.relay.queue.TestMessages.rcpt;
import static io.stsdane.relay.queue.TestMessages.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.delivery.OutcomeScope;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.RecoveryReport;
import io.stsdane.relay.queue.ScriptedAgent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    /**
     * The file store, except that queueing a DSN fails while {@code full} is set (a disk filling up) and state
     * updates fail while {@code down} is set (a queue database that is unreachable), counting those failures.
     */
    private static final class TroubledStore implements QueueStore {
        private final FileQueueStore delegate;
        final AtomicBoolean full = new AtomicBoolean(true);
        final AtomicBoolean down = new AtomicBoolean(false);
        final AtomicInteger failedUpdates = new AtomicInteger();

        TroubledStore(FileQueueStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public void enqueue(QueueId id, Envelope envelope, InputStream content) throws IntakeException {
            if (envelope.isBounce() && full.get()) {
                throw new IntakeException(452, "4.3.1", "Insufficient system storage");
            }
            delegate.enqueue(id, envelope, content);
        }

        @Override
        public RecoveryReport recover() throws IOException {
            return delegate.recover();
        }

        @Override
        public void checkCapacity() throws IntakeException {
            delegate.checkCapacity();
        }

        @Override
        public List<StoredMessage> leaseDue(Instant now, int max) {
            return delegate.leaseDue(now, max);
        }

        @Override
        public void releaseLease(QueueId id) {
            delegate.releaseLease(id);
        }

        @Override
        public Optional<StoredMessage> load(QueueId id) throws IOException {
            return delegate.load(id);
        }

        @Override
        public MessageContent content(QueueId id) {
            return delegate.content(id);
        }

        @Override
        public Optional<MessageState> update(QueueId id, StateChange change) throws IOException {
            if (down.get()) {
                failedUpdates.incrementAndGet();
                throw new IOException("queue database unreachable");
            }
            return delegate.update(id, change);
        }

        @Override
        public boolean remove(QueueId id) throws IOException {
            return delegate.remove(id);
        }

        @Override
        public List<QueueId> ids(int limit) {
            return delegate.ids(limit);
        }

        @Override
        public int size() {
            return delegate.size();
        }

        @Override
        public Optional<Instant> oldestReceived() {
            return delegate.oldestReceived();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** A scheduler polling every 10 ms, with up to 4 deliveries at once and one retry after 5 minutes. */
    private Scheduler scheduler(QueueStore store, FileQueueStore files, ScriptedAgent agent, QueueIds ids,
            MutableClock clock) {
        RetryPolicy retry = new RetryPolicy(List.of(Duration.ofMinutes(5)), 0, () -> 0.5);
        DomainSuspensions suspensions = DomainSuspensions.inSpool(dir, clock);
        return new Scheduler(store, agent, new StateTransitions(retry, Duration.ofDays(5), null),
                new DomainBackoff(3, retry), suspensions, new DsnComposer("relay.example.com", Duration.ofDays(5)), ids, 4,
                Duration.ofMillis(10), clock, new QueueMetrics(new SimpleMeterRegistry(), files, suspensions, clock));
    }

    @Test
    void aDsnThatCannotBeQueuedIsOwedUntilItCanBeNeverLost() throws Exception {
        MutableClock clock = new MutableClock(T0);
        FileQueueStore files = new FileQueueStore(dir, 0, clock, SpoolSync.FSYNC);
        TroubledStore store = new TroubledStore(files);
        store.recover();
        ScriptedAgent agent = new ScriptedAgent((req, r) -> req.envelope().isBounce()
                ? RecipientOutcome.delivered(r, "250 ok", "mx.example.org")
                : RecipientOutcome.bounced(r, OutcomeScope.RECIPIENT, "5.1.1", "550 5.1.1 unknown",
                        "mx.example.net"));
        QueueIds ids = new QueueIds(clock);
        try (Scheduler scheduler = scheduler(store, files, agent, ids, clock)) {
            QueueId id = ids.get();
            store.enqueue(id, envelope("alice@example.org", T0, rcpt("gone@example.net")),
                    new ByteArrayInputStream(bytes(text("owed"))));
            scheduler.start();

            await().atMost(Duration.ofSeconds(20)).until(() -> store.load(id).map(m -> m.state().reportDue())
                    .filter(T0.plus(Duration.ofMinutes(1))::equals).isPresent());
            StoredMessage owed = store.load(id).orElseThrow();
            assertThat(owed.state().recipients().get(0).status()).isEqualTo(RecipientState.Status.BOUNCED);
            assertThat(owed.state().recipients().get(0).report()).isEqualTo(RecipientState.Report.FAILED);
            assertThat(agent.dsns()).isEmpty();

            store.full.set(false);
            clock.advance(Duration.ofMinutes(1));
            await().atMost(Duration.ofSeconds(20)).until(() -> agent.dsns().size() == 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> store.load(id).isEmpty());
            assertThat(agent.deliveries()).hasSize(2); // the original once, then its DSN: no redelivery
        } finally {
            store.close();
        }
    }

    @Test
    void resultsThatCannotBeWrittenAreKeptAndWrittenWhenTheStoreIsBackInsteadOfDeliveringAgain() throws Exception {
        MutableClock clock = new MutableClock(T0);
        FileQueueStore files = new FileQueueStore(dir, 0, clock, SpoolSync.FSYNC);
        TroubledStore store = new TroubledStore(files);
        store.full.set(false);
        store.recover();
        ScriptedAgent agent = ScriptedAgent.deliveringAll();
        QueueIds ids = new QueueIds(clock);
        try (Scheduler scheduler = scheduler(store, files, agent, ids, clock)) {
            QueueId id = ids.get();
            store.enqueue(id, envelope("alice@example.org", T0, rcpt("bob@example.net")),
                    new ByteArrayInputStream(bytes(text("delivered while the database was down"))));
            store.down.set(true);
            scheduler.start();

            await().atMost(Duration.ofSeconds(20)).until(() -> store.failedUpdates.get() >= 2);
            assertThat(agent.deliveries()).hasSize(1);
            assertThat(store.load(id)).isPresent();

            store.down.set(false);
            await().atMost(Duration.ofSeconds(20)).until(() -> store.load(id).isEmpty());
            assertThat(agent.deliveries()).hasSize(1); // delivered once: the kept result was written, not lost
        } finally {
            store.close();
        }
    }
}
