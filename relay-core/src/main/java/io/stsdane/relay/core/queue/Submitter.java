package io.stsdane.relay.core.queue;

import java.util.Optional;

/**
 * Who handed a message to the listener, as far as the relay's own checks established it: what decides whether
 * the relay may sign for the message's author domain (DKIM, RFC 6376 §3.5 d=). Immutable and thread-safe.
 *
 * @param authenticatedUser the AUTH identity of the session (a user of the relay's users file), empty without AUTH
 * @param allowedNetwork the client address is in {@code server.allowed-networks}
 */
public record Submitter(Optional<String> authenticatedUser, boolean allowedNetwork) {

    public Submitter {
        authenticatedUser = authenticatedUser == null ? Optional.empty() : authenticatedUser;
    }

    /** Mail the relay makes itself (DSNs, TLS-RPT reports) or a caller that cannot say: never signed for. */
    public static final Submitter UNKNOWN = new Submitter(Optional.empty(), false);
}
