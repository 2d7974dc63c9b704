package io.stsdane.relay.tlsrpt.internal;

/** What handing one report to one destination did. */
sealed interface SendResult {

    /** The destination took the report: the queue stored it, or the web server answered 2xx. */
    record Delivered() implements SendResult { }

    /** Failed for now (network, HTTP status, queue full): try again on the next run. */
    record Retry(String reason) implements SendResult { }

    /** Can never work (for example a malformed address): drop this destination. */
    record Rejected(String reason) implements SendResult { }
}
