package io.stsdane.relay.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.server.RelayComponents;
import io.stsdane.relay.server.admin.AdminJson;
import io.stsdane.relay.server.config.AdminConfig;
import io.stsdane.relay.server.config.ConfigLoader;
import io.stsdane.relay.core.net.HostPort;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code relay queue ...}: inspects and acts on the queue of a running relay through its admin API, found at
 * {@code admin.listen} of the configuration (and said on stderr); {@code relay queue migrate}
 * ({@link QueueMigrateCommand}) works on a stopped node's spool instead.
 */
@Command(name = "queue", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
        description = {"Inspect and manage the queue of a running relay (through its admin API), or move a stopped"
                + " node's file spool into PostgreSQL (migrate).",
                "The relay is found at admin.listen of --config, else of " + QueueCommand.INSTALLED_CONFIG
                        + " when it exists, else of the embedded defaults; --admin overrides it."},
        subcommands = QueueMigrateCommand.class)
public final class QueueCommand implements Runnable {

    /** The configuration the documented installation uses (config/relay.service, Dockerfile). */
    static final String INSTALLED_CONFIG = "/etc/relay/relay.yaml";

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Configuration file (YAML). Default: " + INSTALLED_CONFIG + " when it exists, else the"
                    + " embedded defaults (config/relay.yaml).")
    Path configFile;

    @Option(names = "--admin", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
            description = "Admin API of the relay. Default: admin.listen of the configuration.")
    String admin;

    private final RelayComponents components;
    private final Map<String, String> env;
    private final Path installedConfig;

    public QueueCommand(RelayComponents components, Map<String, String> env) {
        this(components, env, Path.of(INSTALLED_CONFIG));
    }

    /** @param installedConfig read for admin.listen when no --config is given and it exists */
    QueueCommand(RelayComponents components, Map<String, String> env, Path installedConfig) {
        this.components = components;
        this.env = env;
        this.installedConfig = installedConfig;
    }

    /** The environment for {@code RELAY_*} configuration overrides, for the subcommand classes. */
    Map<String, String> env() {
        return env;
    }

    /** What the modules build, for the subcommands that work without a running relay ({@code migrate}). */
    RelayComponents components() {
        return components;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing queue command");
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List the queued messages, oldest first: state, age, next attempt,"
            + " and the reason (the last status code and reply, and a suspension or backoff of the destination"
            + " that delays it).", "Then the suspended destinations."})
    int list(@Mixin QueueSelection select,
            @Option(names = "--json", description = "Print the JSON the admin API returns.") boolean json)
            throws Exception {
        AdminClient client = client();
        AdminClient.Response r = client.send("GET", "queue" + select.query(Map.of()));
        if (!r.ok() || json) {
            return print(r);
        }
        AdminClient.Response suspended = client.send("GET", "suspensions");
        if (!suspended.ok()) {
            return print(suspended);
        }
        PrintWriter out = out();
        QueueText.list(out, AdminJson.MAPPER.readTree(r.body()), AdminJson.MAPPER.readTree(suspended.body()),
                Instant.now());
        out.flush();
        return 0;
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show one message: envelope, each recipient's state and last status,"
            + " and the attempt history (time, MX host, status, reply).")
    int show(@Parameters(paramLabel = "ID") String id,
            @Option(names = "--json", description = "Print the JSON the admin API returns.") boolean json,
            @Option(names = "--content", description = "Print the stored message itself (headers and body), as"
                    + " postcat -q.") boolean content) throws Exception {
        if (content) {
            AdminClient.Response r = client().send("GET", "queue/" + id(id) + "/content");
            if (!r.ok()) {
                return print(r);
            }
            PrintWriter out = out();
            out.print(new String(r.bytes(), StandardCharsets.UTF_8).replace("\r\n", "\n"));
            out.flush();
            return 0;
        }
        AdminClient.Response r = client().send("GET", "queue/" + id(id));
        if (!r.ok() || json) {
            return print(r);
        }
        PrintWriter out = out();
        QueueText.show(out, AdminJson.MAPPER.readTree(r.body()), Instant.now());
        out.flush();
        return 0;
    }

    @Command(name = "flush", mixinStandardHelpOptions = true,
            description = {"Make every message that is not held due now (as postqueue -f).",
            "A destination that failed repeatedly stays backed off (queue list says so) unless --ignore-backoff."})
    int flush(@Option(names = "--ignore-backoff", description = "Also forget every destination's backoff, so"
            + " each is tried now.") boolean ignoreBackoff) throws Exception {
        AdminClient.Response r = client().send("POST", "queue/flush" + (ignoreBackoff ? "?ignore-backoff=true" : ""));
        if (!r.ok()) {
            return print(r);
        }
        JsonNode body = AdminJson.MAPPER.readTree(r.body());
        PrintWriter out = out();
        out.printf("%d message(s) due now%s%n", body.path("matched").asInt(),
                ignoreBackoff ? "; every destination's backoff cleared" : "");
        out.flush();
        return 0;
    }

    @Command(name = "summary", mixinStandardHelpOptions = true,
            description = "Pending recipients by destination domain and age (as qshape), and by"
            + " last deferral reason.")
    int summary(@Option(names = "--json", description = "Print the JSON the admin API returns.") boolean json)
            throws Exception {
        AdminClient.Response r = client().send("GET", "queue/summary");
        if (!r.ok() || json) {
            return print(r);
        }
        PrintWriter out = out();
        QueueText.summary(out, AdminJson.MAPPER.readTree(r.body()));
        out.flush();
        return 0;
    }

    @Command(name = "suspend", mixinStandardHelpOptions = true,
            description = {"Make no delivery attempt to DOMAIN until resumed (or --until).",
            "Its mail stays queued and still expires after delivery.max-queue-lifetime. With the PostgreSQL"
                    + " spool every node honours it."})
    int suspend(@Parameters(paramLabel = "DOMAIN") String domain,
            @Option(names = "--until", paramLabel = "WHEN", description = "End by itself: a duration from now (2h)"
                    + " or an instant (2026-12-08T10:00:00Z).") String until) throws Exception {
        String query = until == null ? "" : QueueSelection.encode(Map.of("until", until));
        return print(client().send("PUT", "suspensions/" + domain(domain) + query));
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "End the suspension of DOMAIN; its pending mail is due now.")
    int resume(@Parameters(paramLabel = "DOMAIN") String domain) throws Exception {
        return print(client().send("DELETE", "suspensions/" + domain(domain)));
    }

    /**
     * This command with its subcommands, the per-message and bulk actions ({@link QueueActionCommand}) among
     * them.
     */
    public static CommandLine commandLine(RelayComponents components, Map<String, String> env) {
        CommandLine cl = new CommandLine(new QueueCommand(components, env));
        QueueActionCommand.ACTIONS.forEach((name, description) -> {
            CommandLine action = new CommandLine(new QueueActionCommand(name));
            // One class serves every action: the help text is set here.
            action.getCommandSpec().usageMessage().description(description + ": one message (ID), or every"
                    + " message the options select (--all for every message).");
            cl.addSubcommand(name, action);
        });
        return cl;
    }

    /** One action ({@code retry}, {@code hold}...) on one message ({@code id}) or on those {@code bulk} selects. */
    int action(String action, String id, QueueActionCommand.Bulk bulk) throws Exception {
        if (id != null) {
            if (bulk.all || bulk.select.any() || bulk.dryRun) {
                throw new ParameterException(spec.commandLine(), "give either an ID or --all / --domain / --sender"
                        + " / --older-than / --state, not both");
            }
            String path = "queue/" + id(id);
            return print(action.equals("delete") ? client().send("DELETE", path)
                    : client().send("POST", path + "/" + action));
        }
        if (!bulk.all && !bulk.select.any()) {
            throw new ParameterException(spec.commandLine(), "which messages? Give an ID, or --all, --domain,"
                    + " --sender, --older-than or --state");
        }
        Map<String, String> extra = new LinkedHashMap<>();
        if (bulk.all) {
            extra.put("all", "true");
        }
        if (bulk.dryRun) {
            extra.put("dry-run", "true");
        }
        AdminClient.Response r = client().send("POST", "queue/bulk/" + action + bulk.select.query(extra));
        if (!r.ok()) {
            return print(r);
        }
        JsonNode body = AdminJson.MAPPER.readTree(r.body());
        PrintWriter out = out();
        for (JsonNode m : body.path("ids")) {
            out.println(m.asText());
        }
        out.printf("%s: %d message(s)%s%n", action, body.path("matched").asInt(),
                bulk.dryRun ? " would be concerned (dry run, nothing changed)" : "");
        for (JsonNode m : body.path("failed")) {
            out.printf("%s: not done (gone or in a state that does not allow it)%n", m.asText());
        }
        out.flush();
        return body.path("failed").isEmpty() ? 0 : 1;
    }

    private String id(String id) {
        try {
            return new QueueId(id).value();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "'" + id + "' is not a queue id");
        }
    }

    private String domain(String domain) {
        try {
            return io.stsdane.relay.core.util.DomainNames.canonical(domain);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "'" + domain + "' is not a domain name");
        }
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Prints a success to stdout, a failure (its "message" or "error", else the body) to stderr. */
    private int print(AdminClient.Response r) throws Exception {
        if (r.ok()) {
            JsonNode body = AdminJson.MAPPER.readTree(r.body());
            PrintWriter out = out();
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

    /**
     * The admin API client, found as the class comment says, with the configuration's token (admin.token-file)
     * if any; which API is said on stderr.
     */
    private AdminClient client() throws Exception {
        Optional<Path> file = Optional.ofNullable(configFile)
                .or(() -> Optional.of(installedConfig).filter(Files::isReadable));
        AdminConfig configured = ConfigLoader.adminOnly(file, env);
        HostPort address = configured.listen();
        String from = "admin.listen of " + file.map(Path::toString).orElse("the embedded defaults");
        if (admin != null) {
            try {
                address = HostPort.parse(admin, -1);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--admin: " + e.getMessage());
            }
            from = "--admin";
        }
        AdminClient client = new AdminClient(address, configured.token());
        PrintWriter err = spec.commandLine().getErr();
        err.println("relay queue: admin API " + client.base() + " (" + from + ")");
        err.flush();
        return client;
    }
}
