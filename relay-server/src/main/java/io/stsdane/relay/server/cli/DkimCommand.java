package io.stsdane.relay.server.cli;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.util.DomainNames;
import io.stsdane.relay.dkim.DkimDomain;
import io.stsdane.relay.dkim.DkimKey;
import io.stsdane.relay.dkim.DkimRecord;
import io.stsdane.relay.server.RelayComponents;
import io.stsdane.relay.server.admin.AdminJson;
import io.stsdane.relay.server.config.RelayConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code relay dkim check DOMAIN}: each configured selector's key record in DNS (through the relay's own
 * resolver, DNSSEC state shown) compared with the configured key; {@code relay dkim record}: the record to
 * publish for a key file. Results go to standard output, one line per item ({@code key=value} fields, or JSON
 * with {@code --json}).
 */
@Command(name = "dkim", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
        description = "DKIM signing keys: check the published key records, print the record for a key file.")
public final class DkimCommand implements Runnable {

    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    private final RelayComponents components;
    private final Map<String, String> env;

    public DkimCommand(RelayComponents components, Map<String, String> env) {
        this.components = components;
        this.env = env;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing dkim command (check or record)");
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Compare the key record of each selector configured for DOMAIN (DNS TXT at"
            + " <selector>._domainkey.DOMAIN) with the configured key.",
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:every selector's record matches its key", "1:a record is missing, different, revoked"
                    + " or could not be looked up; or DOMAIN has no keys", "2:invalid command line"})
    int check(@Mixin ConfigOption config,
            @Parameters(paramLabel = "DOMAIN", description = "A domain of dkim.domains.") String domain,
            @Option(names = "--json", description = "Print JSON instead of text.") boolean json) throws Exception {
        String name = canonical(domain);
        RelayConfig cfg = config.load(env).config();
        DkimDomain signing = cfg.dkim().domains().get(name);
        if (signing == null) {
            throw new CommandFailure("no DKIM keys are configured for " + name + " (dkim.domains)");
        }
        DnsResolver resolver = components.dnsResolver(cfg.dns());
        List<DkimKeyCheck.Selector> results = new DkimKeyCheck(resolver, new StepTimeout(STEP_TIMEOUT)).run(signing);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(AdminJson.MAPPER.writeValueAsString(results));
        } else {
            for (DkimKeyCheck.Selector s : results) {
                out.println("selector=" + s.selector() + " algorithm=" + s.algorithm() + " name=" + s.name()
                        + " dnssec=" + s.dnssec() + " status=" + s.status()
                        + (s.detail().isEmpty() ? "" : " detail=\"" + s.detail() + "\""));
            }
        }
        out.flush();
        return results.stream().allMatch(DkimKeyCheck.Selector::matches) ? 0 : 1;
    }

    @Command(name = "record", mixinStandardHelpOptions = true,
            description = "Print the DNS TXT record to publish for a private key file (PEM"
            + " PKCS#8, RSA of 2048 bits at least or Ed25519): name=, txt= and a zone-file line.")
    int record(@Parameters(paramLabel = "KEYFILE", description = "The private key file.") Path file,
            @Option(names = "--selector", required = true, description = "The selector (s=).") String selector,
            @Option(names = "--domain", required = true, description = "The signing domain (d=).") String domain)
            throws CommandFailure {
        DkimKey key;
        try {
            key = DkimKey.load(selector, file);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage());
        }
        String name = DkimRecord.name(selector, canonical(domain));
        PrintWriter out = spec.commandLine().getOut();
        out.println("name=" + name);
        out.println("txt=" + key.record());
        out.println("zone=" + name + ". IN TXT " + String.join(" ", strings(key.record())));
        out.flush();
        return 0;
    }

    /** A TXT character-string holds 255 octets at most (RFC 1035 §3.3.14); a 2048-bit key needs two. */
    private static List<String> strings(String record) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < record.length(); i += 255) {
            out.add("\"" + record.substring(i, Math.min(record.length(), i + 255)) + "\"");
        }
        return out;
    }

    private String canonical(String domain) {
        try {
            return DomainNames.canonical(domain);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "'" + domain + "' is not a domain name");
        }
    }
}
