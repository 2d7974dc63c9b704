package io.stsdane.relay.server.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which queued messages a listing or a bulk action concerns; every given criterion must match, none given
 * matches every message. Immutable.
 *
 * @param domain a destination domain of a pending recipient (case-insensitive)
 * @param sender the envelope sender (case-insensitive), or {@code @domain} for every sender of a domain
 * @param olderThan received longer ago than this
 * @param state {@code active}, {@code deferred}, {@code held} or {@code quarantined} ({@link QueueMessage#state()})
 */
public record QueueSelector(Optional<String> domain, Optional<String> sender, Optional<Duration> olderThan,
        Optional<String> state) {

    /** The values of {@link #state}. */
    public static final Set<String> STATES = Set.of("active", "deferred", "held", "quarantined");

    public QueueSelector {
        domain = domain.map(d -> d.toLowerCase(Locale.ROOT));
        sender = sender.map(s -> s.toLowerCase(Locale.ROOT));
        if (state.isPresent() && !STATES.contains(state.get())) {
            throw new IllegalArgumentException("state must be one of active, deferred, held, quarantined, not '"
                    + state.get() + "'");
        }
    }

    public static final QueueSelector ALL = new QueueSelector(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());

    /** Whether any criterion is given (a bulk action on every message must say so explicitly). */
    public boolean narrows() {
        return domain.isPresent() || sender.isPresent() || olderThan.isPresent() || state.isPresent();
    }

    public boolean matches(QueueMessage m, Instant now) {
        return domain.map(d -> m.recipients().stream().anyMatch(r -> r.nextAttempt() != null
                        && r.domain().equalsIgnoreCase(d))).orElse(true)
                && sender.map(s -> senderMatches(m.sender(), s)).orElse(true)
                && olderThan.map(d -> m.received().isBefore(now.minus(d))).orElse(true)
                && state.map(s -> s.equals(m.state())).orElse(true);
    }

    private static boolean senderMatches(String sender, String wanted) {
        String s = sender == null ? "" : sender.toLowerCase(Locale.ROOT);
        return wanted.startsWith("@") ? s.endsWith(wanted) : s.equals(wanted);
    }
}
