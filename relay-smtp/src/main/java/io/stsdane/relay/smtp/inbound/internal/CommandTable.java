package io.stsdane.relay.smtp.inbound.internal;

import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandHandler;

/**
 * Replaces SubEthaSMTP's commands with ours. SubEthaSMTP answers an unknown verb itself, outside any hook, so
 * a client could send garbage forever; its command map is swapped for one that routes unknown verbs to a
 * command of ours, which counts them towards the bad-command limit. Reflection is confined to this class and
 * fails start-up loudly if a SubEthaSMTP upgrade changes the field. Every command runs inside a
 * {@link DrainingCommand}, so that shutdown can tell idle sessions from busy ones.
 */
final class CommandTable {

    private CommandTable() {
    }

    static void install(CommandHandler handler, InboundContext ctx) {
        Reply notImplemented = Reply.of(502, "5.5.1", "Command not implemented");
        Command unknown = new RefusedCommand(ctx, "UNKNOWN", Reply.of(500, "5.5.2", "Command not recognized"));
        FallbackMap commands = new FallbackMap(new DrainingCommand(unknown, ctx.sessions()));
        for (Command c : new Command[] {
            new EhloCommand(ctx, true), new EhloCommand(ctx, false), new MailCommand(ctx), new RcptCommand(ctx),
            new DataCommand(ctx), new RsetCommand(ctx), new StartTlsCommand(ctx), new AuthCommand(ctx),
            new RefusedCommand(ctx, "BDAT", notImplemented), new RefusedCommand(ctx, "VRFY",
                    Reply.of(252, "2.5.0", "Cannot verify addresses; send the message and it will be tried")),
            new RefusedCommand(ctx, "EXPN", notImplemented), new RefusedCommand(ctx, "HELP", Reply.of(214, "2.0.0",
                    "See https://www.rfc-editor.org/rfc/rfc5321"))}) {
            commands.put(c.getName(), new DrainingCommand(c, ctx.sessions()));
        }
        for (String kept : new String[] {"NOOP", "QUIT"}) {
            commands.put(kept, new DrainingCommand(handler.getCommand(kept), ctx.sessions()));
        }
        try {
            Field field = CommandHandler.class.getDeclaredField("commandMap");
            field.setAccessible(true);
            field.set(handler, commands);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("this SubEthaSMTP version is not supported (expected 7.2.2)", e);
        }
    }

    /**
     * SubEthaSMTP looks a line up twice: by its first four characters, then by its first word. Answer null to
     * the first lookup when it may be the prefix of a longer verb, and route everything else that is unknown.
     */
    private static final class FallbackMap extends HashMap<String, Command> {
        private final Command unknown;

        FallbackMap(Command unknown) {
            this.unknown = unknown;
        }

        @Override
        public Command get(Object key) {
            Command c = super.get(key);
            if (c != null) {
                return c;
            }
            for (String verb : keySet()) {
                if (verb.startsWith((String) key)) {
                    return null;
                }
            }
            return unknown;
        }
    }

}
