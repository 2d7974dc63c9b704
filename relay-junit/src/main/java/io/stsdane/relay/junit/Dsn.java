package io.stsdane.relay.junit;

import io.stsdane.relay.core.queue.QueueId;
import java.util.Objects;

/**
 * A delivery status notification (RFC 3464) the relay generated about one recipient and handed to its own
 * delivery, addressed to the original sender. Read from the relay's delivery records. Immutable.
 *
 * @param id the queue id of the DSN message itself
 * @param sentTo the original sender, to whom the DSN goes
 * @param recipient the {@code Final-Recipient} it reports on
 * @param action {@code delayed} (still trying, RFC 3464 §2.3.3) or {@code failed} (bounced)
 * @param status the enhanced status code it reports, for example {@code 4.7.5}
 * @param text the whole DSN message
 */
public record Dsn(QueueId id, String sentTo, String recipient, String action, String status, String text) {

    public Dsn {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(action, "action");
    }

    /** The DSN says {@code action}: {@code delayed} or {@code failed}. */
    public Dsn assertAction(String expected) {
        if (!expected.equalsIgnoreCase(action)) {
            throw new AssertionError("expected a DSN with Action: " + expected + " about " + recipient + ", got "
                    + action + " (" + status + ")");
        }
        return this;
    }
}
