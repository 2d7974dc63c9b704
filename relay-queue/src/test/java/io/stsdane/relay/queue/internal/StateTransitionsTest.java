package io.stsdane.relay.queue.internal;

import static io.stsdane.relay.queue.TestMessages.envelope;
import static io.stsdane.relay.queue.TestMessages.rcpt;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.delivery.OutcomeScope;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.Notify;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.queue.internal.RecipientState.Report;
import io.stsdane.relay.queue.internal.RecipientState.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateTransitionsTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final StateTransitions rules = new StateTransitions(
            new RetryPolicy(List.of(Duration.ofHours(1)), 0, () -> 0.5), Duration.ofMinutes(90), null);

    private static StoredMessage message(Envelope env) {
        return new StoredMessage(new QueueId("T"), env, 1, MessageState.initial(env.recipients().size(), T0));
    }

    private static DeliveryResult deferred(StoredMessage m, int i) {
        return new DeliveryResult.Attempted(i, RecipientOutcome.deferred(m.envelope().recipients().get(i),
                OutcomeScope.DESTINATION, "4.4.1", "connection refused", ""));
    }

    @Test
    void theNextAttemptNeverLiesBeyondTheQueueLifetime() {
        StoredMessage m = message(envelope("a@example.org", T0, rcpt("b@example.net")));
        MessageState s = rules.apply(m, List.of(deferred(m, 0)), T0.plus(Duration.ofMinutes(45)));
        assertThat(s.recipients().get(0).nextAttempt()).isEqualTo(T0.plus(Duration.ofMinutes(90)));
        assertThat(s.recipients().get(0).attempts()).isEqualTo(1);
        assertThat(s.recipients().get(0).history()).singleElement()
                .satisfies(a -> assertThat(a.status()).isEqualTo("4.4.1"));
    }

    @Test
    void aPostponedRecipientIsNotCountedAsAttemptedButStillExpires() {
        StoredMessage m = message(envelope("a@example.org", T0, rcpt("b@example.net")));
        MessageState early = rules.apply(m, List.of(new DeliveryResult.Postponed(0, T0.plus(Duration.ofMinutes(10)))),
                T0);
        assertThat(early.recipients().get(0).attempts()).isZero();
        assertThat(early.recipients().get(0).nextAttempt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));

        MessageState late = rules.apply(m, List.of(new DeliveryResult.Postponed(0, T0.plus(Duration.ofHours(3)))),
                T0.plus(Duration.ofMinutes(90)));
        assertThat(late.recipients().get(0).status()).isEqualTo(Status.BOUNCED);
        assertThat(late.recipients().get(0).lastStatus()).isEqualTo("4.4.7");
        assertThat(late.recipients().get(0).report()).isEqualTo(Report.FAILED);
        assertThat(late.nextDue()).contains(T0.plus(Duration.ofMinutes(90)));
    }

    @Test
    void resultsForARecipientAnAdminBouncedMeanwhileAreIgnored() {
        StoredMessage m = message(envelope("a@example.org", T0, rcpt("b@example.net", Notify.NEVER)));
        MessageState bounced = rules.bounceAll(m, "bounced by admin", T0);
        assertThat(bounced.recipients().get(0).report()).isEqualTo(Report.NONE); // NOTIFY=NEVER
        assertThat(bounced.isDone()).isTrue();
        StoredMessage afterAdmin = new StoredMessage(m.id(), m.envelope(), 1, bounced);
        MessageState s = rules.apply(afterAdmin, List.of(new DeliveryResult.Attempted(0,
                RecipientOutcome.delivered(m.envelope().recipients().get(0), "250 ok", "mx"))), T0);
        assertThat(s.recipients().get(0).status()).isEqualTo(Status.BOUNCED);
    }

    @Test
    void historyKeepsOnlyTheLatestAttempts() {
        StoredMessage m = message(envelope("a@example.org", T0, rcpt("b@example.net")));
        for (int i = 0; i < 15; i++) {
            m = new StoredMessage(m.id(), m.envelope(), 1, rules.apply(m, List.of(deferred(m, 0)), T0));
        }
        assertThat(m.state().recipients().get(0).attempts()).isEqualTo(15);
        assertThat(m.state().recipients().get(0).history()).hasSize(RecipientState.HISTORY_LIMIT);
    }
}
