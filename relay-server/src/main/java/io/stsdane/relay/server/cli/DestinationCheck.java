package io.stsdane.relay.server.cli;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.server.cli.CheckReport.Host;
import io.stsdane.relay.server.cli.CheckReport.MxEntry;
import io.stsdane.relay.tlsrpt.TlsRptRecord;
import io.stsdane.relay.server.wiring.PolicyChain;
import io.stsdane.relay.smtp.outbound.HostPolicyResolver;
import io.stsdane.relay.smtp.outbound.HostRole;
import io.stsdane.relay.smtp.outbound.HostsFile;
import io.stsdane.relay.smtp.outbound.SmartHost;
import io.stsdane.relay.sts.CachedPolicy;
import io.stsdane.relay.sts.StsLookup;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The work behind {@code relay check}: asks DNS, DANE, MTA-STS and TLS-RPT about a domain through the relay's own
 * resolver and policy sources ({@link PolicyChain}, the same objects delivery uses), and takes the route the
 * delivery engine takes: the MX hosts, or the configured smart host, whose request comes from
 * {@link SmartHost#policyRequest} as in the engine. Each host of the route gets its policy from a
 * {@link HostCheck}, that is from the engine's own {@link HostPolicyResolver}. Blocking; one run per instance at
 * a time.
 */
final class DestinationCheck {

    private final DnsResolver dns;
    private final PolicyChain sources;
    private final HostCheck hosts;
    private final int port;
    private final StepTimeout step;
    private final Optional<SmartHost> smartHost;
    private final HostsFile hostsFile;
    private final boolean connect;

    /**
     * @param port the delivery port ({@code delivery.port}): TLSA names and {@code --connect} use it for MX hosts
     * @param smartHost {@code delivery.smarthost}, which then takes all mail; empty for MX routing
     * @param hostsFile where the engine looks the smart host up before DNS
     * @param hosts checks one host under the engine's policy, probing it when {@code connect}
     */
    DestinationCheck(DnsResolver dns, PolicyChain sources, HostCheck hosts, int port, StepTimeout step,
            Optional<SmartHost> smartHost, HostsFile hostsFile, boolean connect) {
        this.dns = dns;
        this.sources = sources;
        this.hosts = hosts;
        this.port = port;
        this.step = step;
        this.smartHost = smartHost;
        this.hostsFile = hostsFile;
        this.connect = connect;
    }

    CheckReport run(String domain, List<String> notes) {
        DnsResult<MxRecord> mx = step.await(dns.mx(domain), () -> DnsResult.error(domain, DnsSecurity.INDETERMINATE,
                step.late()));
        List<MxRecord> sorted = mx.records().stream()
                .sorted(Comparator.comparingInt(MxRecord::preference).thenComparing(MxRecord::host))
                .toList();
        CheckReport.Mx mxSection = new CheckReport.Mx(mx.status().name(), mx.security().name(), mx.cnameChain(),
                sorted.stream().map(r -> new MxEntry(r.preference(), r.isNullMx() ? "." : r.host())).toList(),
                mx.reason());
        CheckReport.MtaSts sts = mtaSts(domain);
        CheckReport.TlsRpt tlsRpt = tlsRpt(domain);

        String unusable = unusableMx(domain, mx);
        List<Host> mxHosts = new ArrayList<>();
        if (unusable == null) {
            if (mx.status() == DnsStatus.NODATA) {
                mxHosts.add(mxHost(domain, domain, null, mx.security(), HostRole.IMPLICIT_MX));
            } else {
                sorted.forEach(r -> mxHosts.add(mxHost(domain, r.host(), r.preference(), mx.security(),
                        HostRole.MX)));
            }
        }
        if (smartHost.isPresent()) {
            CheckReport.SmartHostRoute route = smartHostRoute(domain, smartHost.get());
            String verdict = verdict(List.of(route.host()), "smart host");
            List<String> all = new ArrayList<>(notes);
            if (unusable != null) {
                all.add("without the smart host: " + unusable);
            }
            return new CheckReport(domain, "smarthost", mxSection, sts, tlsRpt, mxHosts, route, all,
                    verdict == null, verdict == null ? secure("the smart host " + route.smartHost()) : verdict);
        }
        String verdict = unusable != null ? unusable : verdict(mxHosts, "MX host");
        return new CheckReport(domain, "mx", mxSection, sts, tlsRpt, mxHosts, null, notes, verdict == null,
                verdict == null ? secure("every MX host the relay would use") : verdict);
    }

    private String secure(String what) {
        return "secure: " + what + " has an authenticated policy" + (connect ? " and passed it" : "");
    }

    /** An MX host: on the route without a smart host, else information only. */
    private Host mxHost(String domain, String name, Integer preference, DnsSecurity mxSecurity, HostRole role) {
        PolicyRequest request = new PolicyRequest(domain, domain, name, mxSecurity, port);
        return smartHost.isPresent() ? hosts.informational(request, preference)
                : hosts.used(request, preference, role, null);
    }

    /** As the engine: the smart host's addresses (literal, hosts file, else DNS), never an MX RRset. */
    private CheckReport.SmartHostRoute smartHostRoute(String domain, SmartHost s) {
        DnsResult<InetAddress> addresses = step.await(s.addresses(dns, hostsFile),
                () -> DnsResult.error(s.host(), DnsSecurity.INDETERMINATE, step.late()));
        PolicyRequest request = s.policyRequest(addresses, domain);
        boolean literal = s.isIpLiteral();
        String hostPort = (literal && s.host().contains(":") ? "[" + s.host() + "]" : s.host()) + ":" + s.port();
        return new CheckReport.SmartHostRoute(hostPort, s.hasAuth(), request.policyDomain(),
                literal ? null : mtaSts(request.policyDomain()), literal ? null : tlsRpt(request.policyDomain()),
                hosts.used(request, null, HostRole.SMART_HOST, addresses));
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

    /** Null when every host on the route that delivery would use is secure, else why not. */
    private static String verdict(List<Host> route, String what) {
        List<Host> usable = route.stream().filter(Host::usable).toList();
        if (usable.isEmpty()) {
            // As the engine concludes: a bounce only when every host is a final no.
            boolean bounce = !route.isEmpty() && route.stream().allMatch(Host::refused);
            return "no " + what + " can be used" + (bounce ? ": mail to it bounces (" : " now: delivery would be"
                    + " deferred (") + String.join("; ", route.stream().map(h -> h.host() + ": "
                            + (h.tempFail() != null ? h.tempFail() : h.addresses().unusable())).toList()) + ")";
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

    private CheckReport.MtaSts mtaSts(String domain) {
        if (sources.mtaSts().isEmpty()) {
            return new CheckReport.MtaSts(false, List.of(), null, "NONE", null, null, List.of(), null, null, null,
                    "mta-sts.enabled is false: the relay ignores MTA-STS");
        }
        StsLookup l = step.await(sources.mtaSts().get().lookup(domain), () -> null);
        if (l == null) {
            return new CheckReport.MtaSts(true, List.of(), null, "FETCH_FAILED", null, null, List.of(), null, null,
                    null, step.late());
        }
        CachedPolicy p = l.policy();
        return new CheckReport.MtaSts(true, l.txtRecords(), l.announcedId(), l.freshness().name(),
                p == null ? null : p.policy().mode().name().toLowerCase(Locale.ROOT),
                p == null ? null : p.policy().maxAgeSeconds(), p == null ? List.of() : p.policy().mx(),
                p == null ? null : p.text(), p == null ? null : p.fetchedAt().toString(),
                l.failure() == null ? null : l.failure().resultType(), l.detail());
    }

    private CheckReport.TlsRpt tlsRpt(String domain) {
        String name = "_smtp._tls." + domain;
        DnsResult<String> txt = step.await(dns.txt(name), () -> DnsResult.error(name, DnsSecurity.INDETERMINATE,
                step.late()));
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
}
