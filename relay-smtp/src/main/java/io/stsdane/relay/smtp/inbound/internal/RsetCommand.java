package io.stsdane.relay.smtp.inbound.internal;

import java.io.IOException;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;

/** RSET (RFC 5321 §4.1.1.5): abort the transaction, keep the greeting, TLS and AUTH. */
final class RsetCommand extends InboundCommand {

    RsetCommand(InboundContext ctx) {
        super(ctx, "RSET", "Abort the current mail transaction.");
    }

    @Override
    void handle(String argument, Session session, SessionState state) throws IOException, DropConnectionException {
        if (!argument.isBlank()) {
            reply(session, state, Reply.of(501, "5.5.4", "RSET takes no parameters"));
            return;
        }
        state.transaction = null;
        reply(session, state, Reply.of(250, "2.0.0", "Ok"));
    }
}
