package io.stsdane.relay.smtp.inbound.internal;

import java.io.IOException;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;

/**
 * Answers a command the listener does not implement, counting it as a bad command. Also stands in for
 * SubEthaSMTP's BDAT, which is not advertised and would bypass the DATA checks.
 */
final class RefusedCommand extends InboundCommand {

    private final Reply reply;

    RefusedCommand(InboundContext ctx, String name, Reply reply) {
        super(ctx, name, "Not available.");
        this.reply = reply;
    }

    @Override
    void handle(String argument, Session session, SessionState state) throws IOException, DropConnectionException {
        reply(session, state, reply);
    }
}
