package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.QueueAdmin;
import io.stsdane.relay.queue.QueuedMessageView;
import java.io.IOException;
import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.queue.DomainSuspension;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    private final DomainBackoff backoff;
    private final DomainSuspensions suspensions;

    public SpoolAdmin(QueueStore store, StateTransitions transitions, Runnable wake, Clock clock,
            DomainBackoff backoff, DomainSuspensions suspensions) {
        this.store = store;
        this.transitions = transitions;
        this.wake = wake;
        this.clock = clock;
        this.backoff = backoff;
        this.suspensions = suspensions;
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
                    r.status().name(), r.attempts(), r.lastStatus(), r.lastDiagnostic(), r.remoteMta(),
                    r.lastAttempt(), r.isFinal() ? null : r.nextAttempt(),
                    r.history().stream().map(a -> new QueuedMessageView.AttemptView(a.at(), a.kind().name(),
                            a.status(), a.diagnostic(), a.remoteMta(), a.security())).toList()));
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

    @Override
    public Optional<MessageContent> content(QueueId id) throws IOException {
        return store.load(id).isPresent() ? Optional.of(store.content(id)) : Optional.empty();
    }

    @Override
    public Map<String, Instant> backedOff() {
        return backoff.blocked(clock.instant());
    }

    @Override
    public void clearBackoff() {
        backoff.clear();
        LOG.info("admin: every destination's backoff cleared");
        wake.run();
    }

    @Override
    public List<DomainSuspension> suspensions() {
        return suspensions.active();
    }

    @Override
    public void suspend(DomainSuspension s) throws IOException {
        suspensions.suspend(s);
        LOG.info("admin: suspended delivery to {} until {}", s.domain(), s.until() == null ? "resumed" : s.until());
    }

    @Override
    public boolean resume(String domain) throws IOException {
        boolean was = suspensions.resume(domain);
        Instant now = clock.instant();
        for (QueueId id : store.ids(Integer.MAX_VALUE)) {
            Optional<StoredMessage> m = store.load(id);
            if (m.isPresent() && m.get().envelope().recipients().stream().anyMatch(r -> r.domain().equals(domain))) {
                store.update(id, cur -> StateTransitions.retryNow(cur, domain, now));
            }
        }
        LOG.info("admin: resumed delivery to {}", domain);
        wake.run();
        return was;
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
