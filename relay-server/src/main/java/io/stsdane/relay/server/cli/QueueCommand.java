package io.stsdane.relay.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.server.admin.AdminJson;
import io.stsdane.relay.server.config.AdminConfig;
import io.stsdane.relay.server.config.HostPort;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code relay queue ...}: inspects and acts on the queue of a running relay through its admin API;
 * {@code relay queue migrate} ({@link QueueMigrateCommand}) works on a stopped node's spool instead.
 */
@Command(name = "queue", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
        description = "Inspect and manage the queue of a running relay (through its admin API), or move a stopped"
                + " node's file spool into PostgreSQL (migrate).",
        subcommands = QueueMigrateCommand.class)
public final class QueueCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--admin", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
            description = "Admin API of the relay. Default: admin.listen of the configuration.")
    String admin;

    private final Map<String, String> env;

    public QueueCommand(Map<String, String> env) {
        this.env = env;
    }

    /** The environment for {@code RELAY_*} configuration overrides, for the subcommand classes. */
    Map<String, String> env() {
        return env;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing queue command");
    }

    @Command(name = "list", description = "List the queued messages, oldest first.")
    int list(@Option(names = "--json", description = "Print the JSON the admin API returns.") boolean json)
            throws Exception {
        AdminClient.Response r = client().send("GET", "queue");
        if (!r.ok() || json) {
            return print(r);
        }
        PrintWriter out = spec.commandLine().getOut();
        JsonNode messages = AdminJson.MAPPER.readTree(r.body());
        out.printf("%-20s %-24s %10s %-11s %s%n", "ID", "RECEIVED", "SIZE", "STATE", "SENDER -> RECIPIENTS");
        for (JsonNode m : messages) {
            StringBuilder rcpts = new StringBuilder();
            for (JsonNode rcpt : m.path("recipients")) {
                rcpts.append(rcpts.length() == 0 ? "" : ", ").append(rcpt.path("address").asText())
                        .append(" (").append(rcpt.path("state").asText()).append(')');
            }
            String sender = m.path("sender").asText();
            String state = m.hasNonNull("quarantine") ? "quarantined" : m.path("held").asBoolean() ? "held" : "queued";
            out.printf("%-20s %-24s %10d %-11s <%s> -> %s%n", m.path("id").asText(), m.path("received").asText(),
                    m.path("sizeBytes").asLong(), state, sender, rcpts);
        }
        out.printf("%d message(s)%n", messages.size());
        out.flush();
        return 0;
    }

    @Command(name = "show", description = "Show one message with its recipients and their last results.")
    int show(@Parameters(paramLabel = "ID") String id) throws Exception {
        return print(client().send("GET", "queue/" + id(id)));
    }

    @Command(name = "retry", description = "Attempt delivery of the message's pending recipients now.")
    int retry(@Parameters(paramLabel = "ID") String id) throws Exception {
        return action(id, "retry");
    }

    @Command(name = "hold", description = "Stop delivery attempts for the message until released.")
    int hold(@Parameters(paramLabel = "ID") String id) throws Exception {
        return action(id, "hold");
    }

    @Command(name = "release", description = "Resume delivery attempts of a held message.")
    int release(@Parameters(paramLabel = "ID") String id) throws Exception {
        return action(id, "release");
    }

    @Command(name = "bounce", description = "Fail the message's pending recipients now and notify the sender.")
    int bounce(@Parameters(paramLabel = "ID") String id) throws Exception {
        return action(id, "bounce");
    }

    @Command(name = "delete", description = "Remove the message from the queue without notifying anyone.")
    int delete(@Parameters(paramLabel = "ID") String id) throws Exception {
        return print(client().send("DELETE", "queue/" + id(id)));
    }

    private int action(String id, String action) throws Exception {
        return print(client().send("POST", "queue/" + id(id) + "/" + action));
    }

    private String id(String id) {
        try {
            return new QueueId(id).value();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "'" + id + "' is not a queue id");
        }
    }

    /** Prints a success to stdout, a failure (its "message" or "error", else the body) to stderr. */
    private int print(AdminClient.Response r) throws Exception {
        if (r.ok()) {
            JsonNode body = AdminJson.MAPPER.readTree(r.body());
            PrintWriter out = spec.commandLine().getOut();
            out.println(body.has("message") && body.size() == 2 ? body.get("message").asText()
                    : AdminJson.MAPPER.writeValueAsString(body));
            out.flush();
            return 0;
        }
        String text = r.body();
        try {
            JsonNode body = AdminJson.MAPPER.readTree(r.body());
            text = body.has("message") ? body.get("message").asText() : body.path("error").asText(text);
        } catch (com.fasterxml.jackson.core.JacksonException notJson) {
            // Keep the raw body: an old relay or a proxy answered.
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println("relay queue: " + text + " (HTTP " + r.status() + ")");
        err.flush();
        return 1;
    }

    /** The admin API of {@code --admin}, else of the configuration, with the configuration's token if any. */
    private AdminClient client() throws Exception {
        AdminConfig configured = config.load(env).config().admin();
        HostPort address = configured.listen();
        if (admin != null) {
            try {
                address = HostPort.parse(admin, -1);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--admin: " + e.getMessage());
            }
        }
        return new AdminClient(address, configured.token());
    }
}
