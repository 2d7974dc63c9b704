package io.stsdane.relay.server.cli;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
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
import io.stsdane.relay.server.cli.CheckReport.Policy;
import io.stsdane.relay.server.wiring.PolicyChain;
import io.stsdane.relay.smtp.outbound.AddressSelection;
import io.stsdane.relay.smtp.outbound.HostPolicyResolver;
import io.stsdane.relay.smtp.outbound.HostRole;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * One host of {@code relay check}: its addresses, its DANE state, and the policy the delivery engine would apply
 * to it, resolved by the engine's own {@link HostPolicyResolver} (so the check cannot disagree with delivery);
 * with {@code --connect} a STARTTLS probe of every address under that policy. Blocking; use it from one thread
 * (the prober is not thread-safe).
 */
final class HostCheck {

    private final DnsResolver dns;
    private final PolicyChain sources;
    private final HostPolicyResolver resolver;
    private final AddressSelection selection;
    private final StepTimeout step;
    private final StepTimeout resolution;
    private final Optional<StartTlsProbe> probe;

    /**
     * @param selection the delivery engine's judgement of addresses (denied networks, loops, no route)
     * @param step how long one lookup may take
     * @param resolution how long the whole policy resolution may take (the resolver bounds each source itself)
     * @param probe the STARTTLS prober for {@code --connect}; empty for none
     */
    HostCheck(DnsResolver dns, PolicyChain sources, HostPolicyResolver resolver, AddressSelection selection,
            StepTimeout step, StepTimeout resolution, Optional<StartTlsProbe> probe) {
        this.dns = dns;
        this.sources = sources;
        this.resolver = resolver;
        this.selection = selection;
        this.step = step;
        this.resolution = resolution;
        this.probe = probe;
    }

    /**
     * A host the relay would use: facts, the engine's policy and address selection and, with {@code --connect},
     * the probes of the addresses delivery would connect to.
     *
     * @param resolved the host's addresses when the route already resolved them (the smart host), else null
     */
    Host used(PolicyRequest request, Integer preference, HostRole role, DnsResult<InetAddress> resolved) {
        DnsResult<InetAddress> answer = resolved != null ? resolved : lookup(request.mxHost());
        AddressSelection.Result selected = selection.select(request.recipientDomain(), request.mxHost(), role,
                request.port(), answer);
        Addresses addresses = addresses(answer, selected);
        Dane dane = dane(request);
        HostPolicyResolver.Resolution r = resolution.await(resolver.resolve(request),
                () -> new HostPolicyResolver.Resolution(new PolicyDecision.TempFail(TlsFailure.VALIDATION_FAILURE,
                        "no decision: " + resolution.late()), null, List.of()));
        List<Decision> decisions = r.answers().stream().map(a -> decision(a)).toList();
        if (r.decision() instanceof PolicyDecision.TempFail t) {
            String by = r.answers().isEmpty() ? "policy" : label(r.answers().get(r.answers().size() - 1).source());
            return new Host(request.mxHost(), preference, true, addresses, dane, decisions, null,
                    by + " (" + t.failure().resultType() + "): " + t.reason(), List.of());
        }
        TlsPolicy policy = ((PolicyDecision.Apply) r.decision()).policy();
        Policy effective = new Policy(policy.source().label(), policy.level().configName(),
                policy.level().requiresAuthentication(), policy.sniName(), policy.description());
        List<StartTlsProbe.Result> connections = probe.isEmpty()
                || !(selected instanceof AddressSelection.Result.Usable u) ? List.of()
                : u.addresses().stream().map(a -> probe.get().probe(a.getAddress(), a.getPort(), policy)).toList();
        return new Host(request.mxHost(), preference, true, addresses, dane, decisions, effective, null,
                connections);
    }

    /** A host the relay does not use (an MX host while a smart host takes all mail): DNS and DANE facts only. */
    Host informational(PolicyRequest request, Integer preference) {
        return new Host(request.mxHost(), preference, false, addresses(lookup(request.mxHost()), null),
                dane(request), List.of(), null, null, List.of());
    }

    private DnsResult<InetAddress> lookup(String name) {
        return step.await(dns.addresses(name), () -> DnsResult.error(name, DnsSecurity.INDETERMINATE, step.late()));
    }

    /** @param selected what delivery makes of the answer, or null for a host delivery does not use */
    private static Addresses addresses(DnsResult<InetAddress> a, AddressSelection.Result selected) {
        List<String> skipped = selected == null ? List.of()
                : selected.skipped().stream().map(AddressSelection.Skipped::reason).toList();
        AddressSelection.Result.Unusable no = selected instanceof AddressSelection.Result.Unusable u ? u : null;
        return new Addresses(a.status().name(), a.security().name(),
                a.isUsable() ? a.records().stream().map(InetAddress::getHostAddress).toList() : List.of(), a.reason(),
                skipped, no == null ? null : no.status() + " " + no.diagnostic(), no != null && no.permanent());
    }

    private Dane dane(PolicyRequest request) {
        DaneStatus d = step.await(sources.dane().status(request),
                () -> null);
        if (d == null) {
            return new Dane("TEMPFAIL", "", List.of(), List.of(), null, step.late());
        }
        return new Dane(d.kind().name(), d.tlsaBaseName(), d.records().stream().map(TlsaRecord::toString).toList(),
                d.usableRecords().stream().map(TlsaRecord::toString).toList(),
                d.failure() == null ? null : d.failure().resultType(), d.reason());
    }

    private Decision decision(HostPolicyResolver.Answer a) {
        String label = label(a.source());
        if (a.decision() instanceof PolicyDecision.Apply apply) {
            return new Decision(label, a.floor() ? "floor" : "apply", apply.policy().description());
        }
        if (a.decision() instanceof PolicyDecision.TempFail t) {
            return new Decision(label, "tempfail", t.failure().resultType() + ": " + t.reason());
        }
        return new Decision(label, "not-applicable", ((PolicyDecision.NotApplicable) a.decision()).reason());
    }

    private String label(TlsPolicySource source) {
        if (source == sources.override()) {
            return "override";
        }
        if (source == sources.dane()) {
            return "dane";
        }
        if (sources.mtaSts().isPresent() && source == sources.mtaSts().get()) {
            return "mta-sts";
        }
        return sources.smartHostCredentials().isPresent() && source == sources.smartHostCredentials().get()
                ? "smarthost-auth" : source.getClass().getSimpleName();
    }
}
