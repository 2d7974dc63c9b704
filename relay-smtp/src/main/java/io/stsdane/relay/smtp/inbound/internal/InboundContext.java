package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.smtp.inbound.InboundOptions;
import java.io.IOException;
import java.time.Clock;
import javax.net.ssl.SSLContext;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;

/**
 * The services every command needs, built once per server. Thread-safe (all members are).
 *
 * @param users the AUTH users, or null when AUTH is not configured
 * @param tls the STARTTLS context, or null when TLS is not configured
 * @param spf the SPF self-check, or null when it is off
 */
public record InboundContext(InboundOptions options, MessageIntake intake, NetworkAcl acl, UserDirectory users,
                             AuthThrottle throttle, SSLContext tls, SpfCheck spf, InboundMetrics metrics, Clock clock,
                             Sessions sessions) {

    /** Whether AUTH may be offered and used on this session now. */
    boolean authAvailable(SessionState state) {
        return users != null && (state.tls() || !options.authRequireTls());
    }

    /** Never an open relay: a client must come from an allowed network or have authenticated. */
    boolean mayRelay(SessionState state) {
        return state.authUser != null || acl.contains(state.client);
    }

    /**
     * Sends a reply. Client errors count towards the bad-command limit; past it the connection is closed with
     * {@code 421 4.7.0}, so a client cannot keep a session thread busy with garbage.
     */
    void reply(Session session, SessionState state, Reply reply) throws IOException, DropConnectionException {
        session.sendResponse(reply.toString());
        if (reply.isClientError() && ++state.badCommands > options.maxBadCommands()) {
            metrics.rejected("too-many-errors");
            throw new DropConnectionException(421, "4.7.0 Too many errors, closing connection");
        }
    }
}
