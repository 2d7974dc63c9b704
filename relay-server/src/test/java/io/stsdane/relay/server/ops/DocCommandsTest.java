package io.stsdane.relay.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.server.Main;
import io.stsdane.relay.server.wiring.ModuleComponents;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code relay} command in the {@code sh}/{@code bash} code blocks of README.md and docs/*.md runs, as
 * written, against a relay started here, so a documented command cannot silently break. A block that cannot run
 * offline says so on the line before it: {@code <!-- doc-test: skip: why -->}; an unmarked block must hold at
 * least one relay command. Lines of other tools (curl, jq after a pipe) are not run; the documented
 * {@value #INSTALLED} is this relay's configuration, and the commands reach this relay and the test DNS server
 * through {@code RELAY_*} environment overrides, as an operator's environment would.
 */
class DocCommandsTest {

    private static final Path ROOT = Path.of("..");
    private static final String INSTALLED = "/etc/relay/relay.yaml";
    private static final Pattern BLOCK = Pattern.compile("(?m)^(<!-- doc-test: skip: [^>]+ -->\\n)?```(sh|bash)\\n(.*?)^```",
            Pattern.DOTALL);
    private static final Pattern RELAY = Pattern.compile("^(?:[A-Z_]+=\\S+\\s+)*(?:\\./)?relay\\s+(.*)$");

    @TempDir
    Path dir;

    @AutoClose
    private DeferringRelay world;
    private Map<String, String> env;
    private Path config;

    @BeforeEach
    void setUp() throws Exception {
        world = DeferringRelay.start(dir, root -> root.child("com").child("example.com")
                .mx("example.com", 10, "mx.example.com").a("mx.example.com", "127.0.0.1"));
        config = world.config();
        env = Map.of("RELAY_ADMIN__LISTEN", "127.0.0.1:" + world.relay().adminPort(),
                "RELAY_DNS__SERVERS", "127.0.0.1:" + world.dns().address().getPort(),
                "RELAY_DNS__TRUST_ANCHORS", world.trustAnchors().toString(),
                "RELAY_DELIVERY__PORT", String.valueOf(world.refusedPort()),
                "RELAY_SPOOL__DIR", dir.resolve("cli-spool").toString());
    }

    @Test
    void everyDocumentedRelayCommandRuns() throws IOException {
        List<String> ran = new ArrayList<>();
        for (Path doc : docs()) {
            Matcher m = BLOCK.matcher(Files.readString(doc));
            while (m.find()) {
                if (m.group(1) != null) {
                    continue;
                }
                List<String> commands = m.group(3).lines().map(String::strip).map(RELAY::matcher)
                        .filter(Matcher::matches).map(c -> c.group(1)).toList();
                assertThat(commands).as("%s: a block without a relay command needs <!-- doc-test: skip: why -->:%n%s",
                        doc, m.group(3)).isNotEmpty();
                for (String command : commands) {
                    ran.add(String.join(" ", run(doc, command)));
                }
            }
        }
        assertThat(ran).contains("queue list", "check example.com");
    }

    /** Runs one documented command line; returns the arguments it ran with. */
    private List<String> run(Path doc, String line) {
        List<String> args = words(line.replaceAll("\\s+#.*$", "").replaceAll("\\s*\\|.*$", "")
                .replace(INSTALLED, config.toString()));
        assertThat(args.get(0)).as("%s: %s starts a relay; mark its block", doc, line).isNotEqualTo("run");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.commandLine(new ModuleComponents(), env).setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err)).execute(args.toArray(String[]::new));
        String what = doc + ": relay " + line + "\nstdout: " + out + "\nstderr: " + err;
        // relay check exits 1 when delivery would not be secure; everything else must succeed.
        assertThat(exit).as(what).isIn(args.get(0).equals("check") ? List.of(0, 1) : List.of(0));
        assertThat(err.toString()).as(what).doesNotContain("Exception", "configuration error", "Usage:");
        assertThat(out.toString()).as(what).isNotBlank();
        return args;
    }

    /** Shell words: spaces separate, single and double quotes group. */
    private static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        Matcher w = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)").matcher(line);
        while (w.find()) {
            words.add(w.group(1) != null ? w.group(1) : w.group(2) != null ? w.group(2) : w.group(3));
        }
        return words;
    }

    private static List<Path> docs() throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
            List<Path> all = new ArrayList<>(List.of(ROOT.resolve("README.md")));
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(all::add);
            return all;
        }
    }
}
