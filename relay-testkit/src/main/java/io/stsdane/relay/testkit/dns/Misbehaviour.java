package io.stsdane.relay.testkit.dns;

/**
 * Ways the {@link DnsTestServer} misbehaves for a chosen query name (set with
 * {@link DnsTestServer#misbehave(String, Misbehaviour)}), in the spirit of OkHttp's {@code SocketPolicy}.
 */
public enum Misbehaviour {
    /** Never answer, over UDP or TCP: the client times out (indeterminate). */
    DROP,
    /** Answer SERVFAIL with no records. */
    SERVFAIL,
    /** Answer REFUSED with no records, as a resolver does for a client it does not serve. */
    REFUSED,
    /** Answer with a message ID that does not match the query (a spoofing symptom). */
    WRONG_ID,
    /** Over UDP answer an empty message with the TC bit; over TCP answer normally (RFC 7766 fallback). */
    TRUNCATE_UDP,
    /** Answer with bytes that are not a DNS message. */
    GARBAGE
}
