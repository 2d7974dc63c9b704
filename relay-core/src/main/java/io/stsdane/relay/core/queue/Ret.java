package io.stsdane.relay.core.queue;

/** The DSN RET parameter (RFC 3461 §4.3): return the full message or only its headers in a DSN. */
public enum Ret {
    FULL, HDRS
}
