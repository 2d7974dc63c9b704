package io.stsdane.relay.smtp.inbound.internal;

import java.io.IOException;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandException;
import org.subethamail.smtp.internal.server.HelpMessage;
import org.subethamail.smtp.server.Session;

/**
 * Runs a command inside its session's {@link SessionActivity}, so that shutdown lets a running command (above
 * all a DATA being spooled) send its reply, and then closes the session instead of reading another command.
 * RFC 5321 §3.8: a server shutting down answers 421 to any command, or sends it unasked. Thread-safe.
 */
final class DrainingCommand implements Command {

    private final Command delegate;
    private final Sessions sessions;

    DrainingCommand(Command delegate, Sessions sessions) {
        this.delegate = delegate;
        this.sessions = sessions;
    }

    @Override
    public void execute(String line, Session session) throws IOException, DropConnectionException {
        SessionActivity activity = sessions.activity(session);
        if (!activity.begin()) {
            throw sessions.shuttingDown();
        }
        boolean close;
        try {
            delegate.execute(line, session);
        } finally {
            close = activity.end();
        }
        if (close) {
            throw sessions.shuttingDown();
        }
    }

    @Override
    public HelpMessage getHelp() throws CommandException {
        return delegate.getHelp();
    }

    @Override
    public String getName() {
        return delegate.getName();
    }
}
