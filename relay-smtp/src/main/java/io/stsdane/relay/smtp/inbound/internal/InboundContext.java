package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.smtp.inbound.InboundOptions;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;

/**
 * The services every command needs, built once per server; the {@link Reloadable} parts are replaced whole when
 * the configuration is reloaded. Thread-safe (all members are).
 *
 * @param reloadable the allowed networks, AUTH users and STARTTLS context now in force
 * @param spf the SPF self-check, or null when it is off
 */
public record InboundContext(InboundOptions options, MessageIntake intake, AtomicReference<Reloadable> reloadable,
                             AuthThrottle throttle, SpfCheck spf, InboundMetrics metrics, Clock clock,
                             Sessions sessions) {

    /**
     * What a configuration reload (SIGHUP) can change without a restart. A session reads each part once per
     * use: a session that started STARTTLS with the old certificate finishes with it.
     *
     * @param users the AUTH users, or null when AUTH is not configured
     * @param tls the STARTTLS context, or null when TLS is not configured
     */
    public record Reloadable(NetworkAcl acl, UserDirectory users, SSLContext tls) {
    }

    NetworkAcl acl() {
        return reloadable.get().acl();
    }

    UserDirectory users() {
        return reloadable.get().users();
    }

    SSLContext tls() {
        return reloadable.get().tls();
    }

    /** Whether AUTH may be offered and used on this session now. */
    boolean authAvailable(SessionState state) {
        return users() != null && (state.tls() || !options.authRequireTls());
    }

    /** Never an open relay: a client must come from an allowed network or have authenticated. */
    boolean mayRelay(SessionState state) {
        return state.authUser != null || acl().contains(state.client);
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
