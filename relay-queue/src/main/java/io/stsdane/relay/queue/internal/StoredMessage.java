package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;

/** A queued message as read from the store: envelope and state, never the content. Immutable. */
public record StoredMessage(QueueId id, Envelope envelope, long size, MessageState state) {
}
