package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.QueueAdmin;
import io.stsdane.relay.queue.QueuedMessageView;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link QueueAdmin} over a {@link QueueStore}; wakes the scheduler after changes. Thread-safe. */
public final class SpoolAdmin implements QueueAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(SpoolAdmin.class);

    private final QueueStore store;
    private final StateTransitions transitions;
    private final Runnable wake;
    private final Clock clock;

    public SpoolAdmin(QueueStore store, StateTransitions transitions, Runnable wake, Clock clock) {
        this.store = store;
        this.transitions = transitions;
        this.wake = wake;
        this.clock = clock;
    }

    @Override
    public List<QueuedMessageView> list(int limit) throws IOException {
        List<QueuedMessageView> out = new ArrayList<>();
        for (QueueId id : store.ids(limit)) {
            show(id).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public Optional<QueuedMessageView> show(QueueId id) throws IOException {
        Optional<StoredMessage> m = store.load(id);
        return m.isPresent() ? m.map(SpoolAdmin::view) : store.quarantined(id);
    }

    private static QueuedMessageView view(StoredMessage m) {
        List<QueuedMessageView.RecipientView> rcpts = new ArrayList<>();
        for (int i = 0; i < m.state().recipients().size(); i++) {
            RecipientState r = m.state().recipients().get(i);
            rcpts.add(new QueuedMessageView.RecipientView(m.envelope().recipients().get(i).address(),
                    r.status().name(), r.attempts(), r.lastDiagnostic(), r.lastAttempt(),
                    r.isFinal() ? null : r.nextAttempt()));
        }
        return new QueuedMessageView(m.id().value(), m.envelope().sender(), m.size(),
                m.envelope().receivedAt(), m.state().held(), rcpts, null);
    }

    @Override
    public boolean retryNow(QueueId id) throws IOException {
        return change(id, "retry", m -> StateTransitions.retryNow(m.state(), clock.instant()));
    }

    @Override
    public boolean hold(QueueId id) throws IOException {
        return change(id, "hold", m -> m.state().withHeld(true));
    }

    @Override
    public boolean release(QueueId id) throws IOException {
        store.releaseQuarantine(id);
        return change(id, "release", m -> m.state().withHeld(false));
    }

    @Override
    public boolean delete(QueueId id) throws IOException {
        boolean removed = store.remove(id);
        if (removed) {
            LOG.info("admin: deleted {} without DSN", id);
        }
        return removed;
    }

    @Override
    public boolean bounce(QueueId id) throws IOException {
        return change(id, "bounce",
                m -> transitions.bounceAll(m, "bounced by the relay administrator", clock.instant()).withHeld(false));
    }

    /** False when {@code id} is not queued; throws when it is quarantined (no state to change until released). */
    private boolean change(QueueId id, String action, QueueStore.StateChange c) throws IOException {
        boolean found = store.update(id, c).isPresent();
        if (found) {
            LOG.info("admin: {} {}", action, id);
            wake.run();
            return true;
        }
        Optional<QueuedMessageView> aside = store.quarantined(id);
        if (aside.isPresent()) {
            throw new IOException(id + " is quarantined (" + aside.get().quarantine().reason() + "): repair its rows "
                    + "in the database and release it, or delete it");
        }
        return false;
    }
}
