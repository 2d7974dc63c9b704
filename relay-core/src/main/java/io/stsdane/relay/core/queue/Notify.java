package io.stsdane.relay.core.queue;

/** The DSN NOTIFY values of one recipient (RFC 3461 §4.1). NEVER excludes the others. */
public enum Notify {
    NEVER, SUCCESS, FAILURE, DELAY
}
