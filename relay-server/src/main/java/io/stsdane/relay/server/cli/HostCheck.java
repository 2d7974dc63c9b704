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
import io.stsdane.relay.server.wiring.PolicySources;
import io.stsdane.relay.smtp.outbound.HostPolicyResolver;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
    private final PolicySources sources;
    private final HostPolicyResolver resolver;
    private final StepTimeout step;
    private final StepTimeout resolution;
    private final Optional<StartTlsProbe> probe;

    /**
     * @param step how long one lookup may take
     * @param resolution how long the whole policy resolution may take (the resolver bounds each source itself)
     * @param probe the STARTTLS prober for {@code --connect}; empty for none
     */
    HostCheck(DnsResolver dns, PolicySources sources, HostPolicyResolver resolver, StepTimeout step,
            StepTimeout resolution, Optional<StartTlsProbe> probe) {
        this.dns = dns;
        this.sources = sources;
        this.resolver = resolver;
        this.step = step;
        this.resolution = resolution;
        this.probe = probe;
    }

    /** A host the relay would use: facts, the engine's policy and, with {@code --connect}, the probes. */
    Host used(PolicyRequest request, Integer preference, boolean ipLiteral) {
        Addresses addresses = addresses(request.mxHost(), ipLiteral);
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
        List<StartTlsProbe.Result> connections = probe.isEmpty() ? List.of() : addresses.addresses().stream()
                .map(ip -> probe.get().probe(literal(ip), request.port(), policy)).toList();
        return new Host(request.mxHost(), preference, true, addresses, dane, decisions, effective, null,
                connections);
    }

    /** A host the relay does not use (an MX host while a smart host takes all mail): DNS and DANE facts only. */
    Host informational(PolicyRequest request, Integer preference) {
        return new Host(request.mxHost(), preference, false, addresses(request.mxHost(), false), dane(request),
                List.of(), null, null, List.of());
    }

    private Addresses addresses(String name, boolean ipLiteral) {
        if (ipLiteral) {
            return new Addresses("LITERAL", DnsSecurity.INSECURE.name(), List.of(name),
                    "an IP address: no DNS lookup");
        }
        DnsResult<InetAddress> a = step.await(dns.addresses(name), () -> DnsResult.error(name,
                DnsSecurity.INDETERMINATE, step.late()));
        return new Addresses(a.status().name(), a.security().name(),
                a.isUsable() ? a.records().stream().map(InetAddress::getHostAddress).toList() : List.of(), a.reason());
    }

    private Dane dane(PolicyRequest request) {
        DaneStatus d = step.await(sources.dane().status(request.mxHost(), request.port(), request.mxSecurity()),
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

    /** Addresses here are printed addresses (from DNS or the configured literal): parsing them does no lookup. */
    private static InetAddress literal(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("not an IP address: " + address, e);
        }
    }
}
