package io.stsdane.relay.smtp.inbound.internal;

import java.io.IOException;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.internal.server.BaseCommand;
import org.subethamail.smtp.server.Session;

/** A command of ours, run on the session's thread with that session's {@link SessionState}. */
abstract class InboundCommand extends BaseCommand {

    protected final InboundContext ctx;

    InboundCommand(InboundContext ctx, String name, String help) {
        super(name, help);
        this.ctx = ctx;
    }

    @Override
    public final void execute(String line, Session session) throws IOException, DropConnectionException {
        handle(argument(line), session, ctx.sessions().state(session));
    }

    abstract void handle(String argument, Session session, SessionState state)
            throws IOException, DropConnectionException;

    void reply(Session session, SessionState state, Reply reply) throws IOException, DropConnectionException {
        ctx.reply(session, state, reply);
    }

    /** Replies; a refusal (4xx/5xx) is counted under {@code reason}. */
    void answer(Session session, SessionState state, Reply reply, String reason)
            throws IOException, DropConnectionException {
        if (reply.code() >= 400) {
            ctx.metrics().rejected(reason);
        }
        reply(session, state, reply);
    }

    /** The text after the verb, without the separating space. */
    private String argument(String line) {
        int sp = line.indexOf(' ');
        return sp < 0 ? "" : line.substring(sp + 1);
    }
}
