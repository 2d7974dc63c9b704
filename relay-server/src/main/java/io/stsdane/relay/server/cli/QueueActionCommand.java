package io.stsdane.relay.server.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code relay queue retry|hold|release|bounce|delete [ID]}: one action on one message, or on every message the
 * selection options pick ({@code --all} for every message), with {@code --dry-run} to only count them.
 */
@Command(mixinStandardHelpOptions = true)
final class QueueActionCommand implements Callable<Integer> {

    /** The actions and what each does, for their help. */
    static final Map<String, String> ACTIONS = actions();

    private static Map<String, String> actions() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("retry", "Attempt delivery of the pending recipients now");
        a.put("hold", "Stop delivery attempts until released");
        a.put("release", "Resume delivery attempts of held messages");
        a.put("bounce", "Fail the pending recipients now and notify the sender");
        a.put("delete", "Remove messages without notifying anyone");
        return a;
    }

    @ParentCommand
    QueueCommand parent;

    @Parameters(paramLabel = "ID", arity = "0..1", description = "One message; else the options select.")
    String id;

    @Mixin
    Bulk bulk;

    private final String action;

    QueueActionCommand(String action) {
        this.action = action;
    }

    /** The options of the actions on several messages. */
    public static final class Bulk {
        @Mixin
        QueueSelection select;

        @Option(names = "--all", description = "Every message in the queue.")
        boolean all;

        @Option(names = "--dry-run", description = "Only count and list the messages the action would concern.")
        boolean dryRun;
    }

    @Override
    public Integer call() throws Exception {
        return parent.action(action, id, bulk);
    }
}
