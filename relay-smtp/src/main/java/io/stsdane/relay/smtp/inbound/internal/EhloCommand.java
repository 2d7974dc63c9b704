package io.stsdane.relay.smtp.inbound.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;

/** EHLO and HELO (RFC 5321 §4.1.1.1): greet, reset any transaction, list the extensions on offer. */
final class EhloCommand extends InboundCommand {

    private final boolean extended;

    EhloCommand(InboundContext ctx, boolean extended) {
        super(ctx, extended ? "EHLO" : "HELO", "Introduce yourself. Syntax: " + (extended ? "EHLO" : "HELO")
                + " <hostname>");
        this.extended = extended;
    }

    @Override
    void handle(String argument, Session session, SessionState state) throws IOException, DropConnectionException {
        String name = argument.strip();
        if (name.isEmpty() || name.contains(" ")) {
            reply(session, state, Reply.of(501, "5.5.4", "Syntax: " + getName() + " <your host name>"));
            return;
        }
        state.helo = name;
        state.esmtp = extended;
        state.transaction = null;
        String greeting = ctx.options().hostname() + " greets [" + state.client.getHostAddress() + "]";
        if (!extended) {
            session.sendResponse("250 " + greeting);
            return;
        }
        List<String> lines = new ArrayList<>();
        lines.add(greeting);
        lines.add("SIZE " + ctx.options().maxMessageSize());
        lines.add("PIPELINING");
        lines.add("8BITMIME");
        lines.add("SMTPUTF8");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("DSN");
        if (state.tls()) {
            // RFC 8689 §4.1: REQUIRETLS is only meaningful, and only offered, on a TLS session.
            lines.add("REQUIRETLS");
        } else if (ctx.tls() != null) {
            lines.add("STARTTLS");
        }
        if (ctx.authAvailable(state)) {
            lines.add("AUTH PLAIN LOGIN");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            sb.append(250).append(i == lines.size() - 1 ? ' ' : '-').append(lines.get(i));
            if (i < lines.size() - 1) {
                sb.append("\r\n");
            }
        }
        session.sendResponse(sb.toString());
    }
}
