package io.stsdane.relay.server.cli;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.util.DomainNames;
import io.stsdane.relay.server.RelayComponents;
import io.stsdane.relay.server.admin.AdminJson;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code relay check DOMAIN}: what the relay sees for a destination domain, through the relay's own resolver
 * and {@code dns:} settings. This version reports the MX hosts with their DNSSEC state; TLSA, MTA-STS, TLS-RPT
 * and the effective policy per host come with the policy modules.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Show how the relay sees a destination domain (MX hosts and their DNSSEC state).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the domain has usable MX hosts", "1:no usable MX (lookup failed, bogus DNSSEC,"
                + " no such domain, null MX)", "2:invalid command line"})
public final class CheckCommand implements Callable<Integer> {

    private static final long LOOKUP_TIMEOUT_SECONDS = 30;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Parameters(paramLabel = "DOMAIN", description = "The destination domain, for example example.com.")
    String domain;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--connect", description = "Also connect to each MX host and try STARTTLS (not available yet).")
    boolean connect;

    private final RelayComponents components;
    private final Map<String, String> env;

    public CheckCommand(RelayComponents components, Map<String, String> env) {
        this.components = components;
        this.env = env;
    }

    @Override
    public Integer call() throws Exception {
        String name;
        try {
            name = DomainNames.canonical(domain);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "'" + domain + "' is not a domain name");
        }
        if (connect) {
            throw new CommandFailure("check --connect is not available in this build yet");
        }
        Optional<DnsResolver> resolver = components.dnsResolver(config.load(env).config().dns());
        if (resolver.isEmpty()) {
            throw new CommandFailure("check needs a DNS resolver, and none is wired into this build yet");
        }
        DnsResult<MxRecord> mx;
        try {
            mx = resolver.get().mx(name).toCompletableFuture().get(LOOKUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new CommandFailure("no answer for MX " + name + " within " + LOOKUP_TIMEOUT_SECONDS + "s");
        }
        Verdict v = verdict(name, mx);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(AdminJson.MAPPER.writeValueAsString(toJson(name, mx, v)));
        } else {
            printText(out, name, mx, v);
        }
        out.flush();
        return v.usable() ? 0 : 1;
    }

    /** Whether mail could go anywhere, and the one-line explanation (RFC 5321 §5.1, RFC 7505). */
    private record Verdict(boolean usable, String note) {
    }

    private static Verdict verdict(String name, DnsResult<MxRecord> mx) {
        if (mx.security().isFailure()) {
            return new Verdict(false, "DNSSEC " + mx.security() + ": delivery would be deferred (" + mx.reason() + ")");
        }
        if (mx.status() == DnsStatus.ERROR) {
            return new Verdict(false, "lookup failed: delivery would be deferred (" + mx.reason() + ")");
        }
        if (mx.status() == DnsStatus.NXDOMAIN) {
            return new Verdict(false, name + " does not exist: mail to it bounces");
        }
        if (mx.status() == DnsStatus.NODATA) {
            return new Verdict(true, "no MX records: " + name + " itself is the implicit MX (RFC 5321 5.1)");
        }
        if (mx.records().size() == 1 && mx.records().get(0).isNullMx()) {
            return new Verdict(false, "null MX (RFC 7505): " + name + " accepts no mail; mail to it bounces");
        }
        return new Verdict(true, mx.records().size() + " MX host(s)");
    }

    private static List<MxRecord> sorted(DnsResult<MxRecord> mx) {
        return mx.records().stream()
                .sorted(Comparator.comparingInt(MxRecord::preference).thenComparing(MxRecord::host))
                .toList();
    }

    private static void printText(PrintWriter out, String name, DnsResult<MxRecord> mx, Verdict v) {
        out.printf("Domain %s%n", name);
        out.printf("MX: %s, DNSSEC %s%s%n", mx.status(), mx.security().name().toLowerCase(java.util.Locale.ROOT),
                mx.cnameChain().isEmpty() ? "" : " (via CNAME " + String.join(" -> ", mx.cnameChain()) + ")");
        for (MxRecord r : sorted(mx)) {
            out.printf("  %5d %s%n", r.preference(), r.isNullMx() ? "." : r.host());
        }
        out.println(v.note());
    }

    private static Map<String, Object> toJson(String name, DnsResult<MxRecord> mx, Verdict v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("domain", name);
        Map<String, Object> mxJson = new LinkedHashMap<>();
        mxJson.put("status", mx.status().name());
        mxJson.put("security", mx.security().name());
        mxJson.put("cnameChain", mx.cnameChain());
        mxJson.put("records", sorted(mx).stream()
                .map(r -> Map.of("preference", r.preference(), "host", r.host()))
                .toList());
        mxJson.put("reason", mx.reason());
        m.put("mx", mxJson);
        m.put("usable", v.usable());
        m.put("note", v.note());
        return m;
    }
}
