package io.stsdane.relay.server.cli;

import io.stsdane.relay.core.util.DomainNames;
import io.stsdane.relay.server.RelayComponents;
import io.stsdane.relay.server.admin.AdminJson;
import io.stsdane.relay.server.config.RelayConfig;
import io.stsdane.relay.server.wiring.CheckParts;
import io.stsdane.relay.server.wiring.PolicyChain;
import io.stsdane.relay.smtp.outbound.AddressSelection;
import io.stsdane.relay.smtp.outbound.DeliveryOptions;
import io.stsdane.relay.smtp.outbound.HostPolicyResolver;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code relay check DOMAIN}: what the relay would do for a destination domain, through the relay's own resolver,
 * {@code dns:} settings and policy sources (its {@link CheckParts}, from {@link RelayComponents} as
 * {@code relay run} gets its parts, built as for delivery) and the delivery
 * engine's own policy resolution ({@link HostPolicyResolver}): MX hosts with their DNSSEC state, DANE per host,
 * MTA-STS, TLS-RPT, the local override and the effective policy per host; with {@code delivery.smarthost} the
 * smart host instead, the route delivery really takes, and the domain's facts as information. With
 * {@code --connect} a real STARTTLS handshake to every address of the route, judged by the effective policy's
 * verifier.
 *
 * <p>MTA-STS policies are fetched into a scratch cache, never the running relay's spool: the check shows what
 * the domain publishes now, and the relay's own cache is left alone.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Show how the relay sees a destination domain: MX and DNSSEC, DANE, MTA-STS, TLS-RPT, local"
                + " overrides and the effective TLS policy per MX host, or for the smart host when"
                + " delivery.smarthost is set.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:delivery would be secure: every host on the route the relay would use (MX hosts, or the"
                + " smart host) has an authenticated policy (dane or verify) and, with --connect, passed it",
                "1:delivery would not be secure, or would not happen (no usable MX or smart host, bogus DNSSEC,"
                        + " null MX)",
                "2:invalid command line"})
public final class CheckCommand implements Callable<Integer> {

    /** Above every DNS budget and the MTA-STS fetch timeout: a stuck lookup still ends the command. */
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Parameters(paramLabel = "DOMAIN", description = "The destination domain, for example example.com.")
    String domain;

    @Option(names = "--json", description = "Print JSON instead of text.")
    boolean json;

    @Option(names = "--connect", description = "Also connect to each MX address on delivery.port (or to the smart"
            + " host), run STARTTLS and check the presented certificate chain against the effective policy. Sends"
            + " no mail and no credentials.")
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
        RelayConfig cfg = config.load(env).config();
        CheckReport report;
        Path scratch = Files.createTempDirectory("relay-check-mta-sts");
        try (CheckParts parts = components.checkParts(cfg, scratch)) {
            PolicyChain sources = parts.policies();
            // The engine's own options: its address selection, smart host and hosts file.
            DeliveryOptions delivery = parts.delivery();
            Optional<StartTlsProbe> probe = connect
                    ? Optional.of(new StartTlsProbe(delivery.heloName(), CONNECT_TIMEOUT)) : Optional.empty();
            StepTimeout step = new StepTimeout(STEP_TIMEOUT);
            // Each source gets the step budget; the whole resolution may take one per source.
            HostPolicyResolver policies = new HostPolicyResolver(sources.inOrder(), STEP_TIMEOUT);
            HostCheck hosts = new HostCheck(parts.dns(), sources, policies, AddressSelection.of(delivery),
                    step, new StepTimeout(STEP_TIMEOUT.multipliedBy(sources.inOrder().size() + 1L)), probe);
            report = new DestinationCheck(parts.dns(), sources, hosts, delivery.port(), step,
                    delivery.smartHostOption(), delivery.hostsFile(), connect).run(name, notes(cfg));
        } finally {
            deleteTree(scratch);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(AdminJson.MAPPER.writeValueAsString(report));
        } else {
            CheckText.print(out, report);
        }
        out.flush();
        return report.secure() ? 0 : 1;
    }

    private static List<String> notes(RelayConfig cfg) {
        List<String> notes = new ArrayList<>();
        if (!cfg.mtaSts().enabled()) {
            notes.add("mta-sts.enabled is false: MTA-STS policies are ignored");
        }
        return notes;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the scratch directory " + dir, e);
        }
    }
}
