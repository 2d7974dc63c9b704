package io.stsdane.relay.server.cli;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.dns.TlsaRecord;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsPolicySource;
import io.stsdane.relay.dane.DaneStatus;
import io.stsdane.relay.server.cli.CheckReport.Addresses;
import io.stsdane.relay.server.cli.CheckReport.Dane;
import io.stsdane.relay.server.cli.CheckReport.Decision;
import io.stsdane.relay.server.cli.CheckReport.Host;
import io.stsdane.relay.server.cli.CheckReport.MxEntry;
import io.stsdane.relay.server.cli.CheckReport.Policy;
import io.stsdane.relay.server.tlsrpt.TlsRptRecord;
import io.stsdane.relay.server.wiring.PolicySources;
import io.stsdane.relay.sts.CachedPolicy;
import io.stsdane.relay.sts.StsLookup;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The work behind {@code relay check}: asks DNS, DANE, MTA-STS and TLS-RPT about a domain through the relay's own
 * resolver and policy sources ({@link PolicySources}, the same objects delivery uses), resolves the effective
 * policy of each MX host the way the delivery engine does (first Apply wins, a TempFail stops the search, no
 * policy means opportunistic), and optionally probes each address with STARTTLS. Blocking; one run per instance
 * at a time.
 */
final class DestinationCheck {

    private final DnsResolver dns;
    private final PolicySources sources;
    private final int port;
    private final Duration timeout;
    private final Optional<StartTlsProbe> probe;

    /**
     * @param port the delivery port ({@code delivery.port}): TLSA names and {@code --connect} use it
     * @param timeout how long one lookup or policy decision may take before it counts as a failure
     * @param probe the STARTTLS prober for {@code --connect}; empty for none
     */
    DestinationCheck(DnsResolver dns, PolicySources sources, int port, Duration timeout,
            Optional<StartTlsProbe> probe) {
        this.dns = dns;
        this.sources = sources;
        this.port = port;
        this.timeout = timeout;
        this.probe = probe;
    }

    CheckReport run(String domain, List<String> notes) {
        DnsResult<MxRecord> mx = await(dns.mx(domain), () -> DnsResult.error(domain, DnsSecurity.INDETERMINATE,
                "no answer within " + timeout.toSeconds() + "s"));
        List<MxRecord> sorted = mx.records().stream()
                .sorted(Comparator.comparingInt(MxRecord::preference).thenComparing(MxRecord::host))
                .toList();
        CheckReport.Mx mxSection = new CheckReport.Mx(mx.status().name(), mx.security().name(), mx.cnameChain(),
                sorted.stream().map(r -> new MxEntry(r.preference(), r.isNullMx() ? "." : r.host())).toList(),
                mx.reason());
        CheckReport.MtaSts sts = mtaSts(domain);
        CheckReport.TlsRpt tlsRpt = tlsRpt(domain);

        String unusable = unusableMx(domain, mx);
        List<Host> hosts = new ArrayList<>();
        if (unusable == null) {
            if (mx.status() == DnsStatus.NODATA) {
                hosts.add(host(domain, domain, null, mx.security()));
            } else {
                sorted.forEach(r -> hosts.add(host(domain, r.host(), r.preference(), mx.security())));
            }
        }
        String verdict = unusable != null ? unusable : verdict(hosts);
        return new CheckReport(domain, mxSection, sts, tlsRpt, hosts, notes, unusable == null && verdict == null,
                verdict == null ? "secure: every MX host the relay would use has an authenticated policy"
                        + (probe.isPresent() ? " and passed it" : "") : verdict);
    }

    /** RFC 5321 §5.1, RFC 7505: why no MX host can be used at all, or null. */
    private static String unusableMx(String domain, DnsResult<MxRecord> mx) {
        if (mx.security().isFailure()) {
            return "DNSSEC " + mx.security() + " MX answer: delivery would be deferred (" + mx.reason() + ")";
        }
        if (mx.status() == DnsStatus.ERROR) {
            return "MX lookup failed: delivery would be deferred (" + mx.reason() + ")";
        }
        if (mx.status() == DnsStatus.NXDOMAIN) {
            return domain + " does not exist: mail to it bounces";
        }
        if (mx.records().size() == 1 && mx.records().get(0).isNullMx()) {
            return "null MX (RFC 7505): " + domain + " accepts no mail; mail to it bounces";
        }
        return null;
    }

    /** Null when secure, else why not. */
    private String verdict(List<Host> hosts) {
        List<Host> usable = hosts.stream().filter(Host::usable).toList();
        if (usable.isEmpty()) {
            return "no MX host can be used now: delivery would be deferred ("
                    + String.join("; ", hosts.stream().map(h -> h.host() + ": " + (h.tempFail() != null
                            ? h.tempFail() : "no addresses")).toList()) + ")";
        }
        List<String> weak = usable.stream().filter(h -> !h.effective().authenticated())
                .map(h -> h.host() + " (" + h.effective().source() + "/" + h.effective().level() + ")").toList();
        if (!weak.isEmpty()) {
            return "delivery to " + String.join(", ", weak) + " does not authenticate the server;"
                    + " an active attacker could read or redirect the mail";
        }
        List<String> failed = usable.stream().flatMap(h -> h.connections().stream()
                .filter(c -> !c.handshakeDone() || !Boolean.TRUE.equals(c.verified()))
                .map(c -> h.host() + " [" + c.address() + "]: " + (c.error() != null ? c.error() : c.verification())))
                .toList();
        if (!failed.isEmpty()) {
            return String.join("; ", failed);
        }
        return null;
    }

    private Host host(String domain, String name, Integer preference, DnsSecurity mxSecurity) {
        DnsResult<InetAddress> a = await(dns.addresses(name), () -> DnsResult.error(name,
                DnsSecurity.INDETERMINATE, "no answer within " + timeout.toSeconds() + "s"));
        Addresses addresses = new Addresses(a.status().name(), a.security().name(),
                a.isUsable() ? a.records().stream().map(InetAddress::getHostAddress).toList() : List.of(), a.reason());
        DaneStatus d = await(sources.dane().status(name, port, mxSecurity), () -> null);
        Dane dane = d == null ? new Dane("TEMPFAIL", "", List.of(), List.of(), null, "no answer within "
                + timeout.toSeconds() + "s")
                : new Dane(d.kind().name(), d.tlsaBaseName(), d.records().stream().map(TlsaRecord::toString).toList(),
                        d.usableRecords().stream().map(TlsaRecord::toString).toList(),
                        d.failure() == null ? null : d.failure().resultType(), d.reason());

        PolicyRequest request = new PolicyRequest(domain, domain, name, mxSecurity, port);
        List<Decision> decisions = new ArrayList<>();
        TlsPolicy policy = null;
        String tempFail = null;
        for (TlsPolicySource source : sources.inOrder()) {
            String label = label(source);
            PolicyDecision decision = await(source.decide(request), () -> new PolicyDecision.TempFail(
                    TlsFailure.VALIDATION_FAILURE, "no decision within " + timeout.toSeconds() + "s"));
            if (decision instanceof PolicyDecision.Apply apply) {
                decisions.add(new Decision(label, "apply", apply.policy().description()));
                policy = apply.policy();
                break;
            }
            if (decision instanceof PolicyDecision.TempFail t) {
                decisions.add(new Decision(label, "tempfail", t.failure().resultType() + ": " + t.reason()));
                tempFail = label + " (" + t.failure().resultType() + "): " + t.reason();
                break;
            }
            decisions.add(new Decision(label, "not-applicable", ((PolicyDecision.NotApplicable) decision).reason()));
        }
        if (policy == null && tempFail == null) {
            policy = TlsPolicy.opportunistic(domain, name);
        }
        Policy effective = policy == null ? null : new Policy(policy.source().label(), policy.level().configName(),
                policy.level().requiresAuthentication(), policy.sniName(), policy.description());
        List<StartTlsProbe.Result> connections = new ArrayList<>();
        if (policy != null && probe.isPresent()) {
            for (InetAddress ip : a.isUsable() ? a.records() : List.<InetAddress>of()) {
                connections.add(probe.get().probe(ip, port, policy));
            }
        }
        return new Host(name, preference, addresses, dane, decisions, effective, tempFail, connections);
    }

    private String label(TlsPolicySource source) {
        if (source == sources.override()) {
            return "override";
        }
        return source == sources.dane() ? "dane" : "mta-sts";
    }

    private CheckReport.MtaSts mtaSts(String domain) {
        if (sources.mtaSts().isEmpty()) {
            return new CheckReport.MtaSts(false, List.of(), null, "NONE", null, null, List.of(), null, null, null,
                    "mta-sts.enabled is false: the relay ignores MTA-STS");
        }
        StsLookup l = await(sources.mtaSts().get().lookup(domain), () -> null);
        if (l == null) {
            return new CheckReport.MtaSts(true, List.of(), null, "FETCH_FAILED", null, null, List.of(), null, null,
                    null, "no answer within " + timeout.toSeconds() + "s");
        }
        CachedPolicy p = l.policy();
        return new CheckReport.MtaSts(true, l.txtRecords(), l.announcedId(), l.origin().name(),
                p == null ? null : p.policy().mode().name().toLowerCase(Locale.ROOT),
                p == null ? null : p.policy().maxAgeSeconds(), p == null ? List.of() : p.policy().mx(),
                p == null ? null : p.text(), p == null ? null : p.fetchedAt().toString(),
                l.failure() == null ? null : l.failure().resultType(), l.detail());
    }

    private CheckReport.TlsRpt tlsRpt(String domain) {
        String name = "_smtp._tls." + domain;
        DnsResult<String> txt = await(dns.txt(name), () -> DnsResult.error(name, DnsSecurity.INDETERMINATE,
                "no answer within " + timeout.toSeconds() + "s"));
        String lookup = txt.status() + " " + txt.security();
        if (!txt.isUsable()) {
            return new CheckReport.TlsRpt(lookup, List.of(), List.of(), "lookup failed: " + txt.reason());
        }
        TlsRptRecord.Lookup parsed = TlsRptRecord.parse(txt.records());
        if (parsed instanceof TlsRptRecord.Lookup.Found f) {
            return new CheckReport.TlsRpt(lookup, txt.records(), f.record().rua().stream().map(URI::toString).toList(),
                    "the relay sends daily TLS reports to these addresses");
        }
        return new CheckReport.TlsRpt(lookup, txt.records(), List.of(),
                "no TLS reporting: " + ((TlsRptRecord.Lookup.Absent) parsed).reason());
    }

    /** Waits for a stage that never completes exceptionally by contract; a stuck one becomes {@code onTimeout}. */
    private <T> T await(CompletionStage<T> stage, java.util.function.Supplier<T> onTimeout) {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return onTimeout.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return onTimeout.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a lookup failed unexpectedly: " + e.getCause(), e.getCause());
        }
    }
}
