package io.stsdane.relay.testkit.smtp;

/** Where a {@link TestSmtpServer} stops answering (and reading), to exercise client timeouts. */
public enum Stall {
    /** Never stalls. */
    NONE,
    /** Accepts the connection and never sends the greeting. */
    GREETING,
    /** Never answers MAIL. */
    MAIL,
    /** After 354, stops reading the message body (the client's socket buffer fills up). */
    DATA_BODY,
    /** Reads the whole body and never answers the final dot. */
    DATA_END
}
