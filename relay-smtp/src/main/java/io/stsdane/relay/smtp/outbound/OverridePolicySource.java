package io.stsdane.relay.smtp.outbound;

import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsPolicySource;
import io.stsdane.relay.core.util.DomainNames;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The local {@code policies:} section as a policy source: recipient domain to TLS level. Ask it first.
 *
 * <p>Keys are a domain ({@code example.com}, that domain only) or a leading-dot suffix ({@code .example.com},
 * every subdomain but not the domain itself); an exact key wins over a suffix, a longer suffix over a shorter.
 *
 * <ul>
 *   <li>{@code none}, {@code may}, {@code encrypt}: that level, certificate not checked.</li>
 *   <li>{@code verify}: TLS mandatory and the chain checked by the verifier {@code pkix.apply(mxHost)}; the
 *       server wires {@code io.stsdane.relay.core.pki.PkixVerifier} (Web PKI plus the MX host name) into it.</li>
 *   <li>{@code dane}: DANE is required, never weakened: the DANE source is asked; a policy it gives at level
 *       {@code dane} or stronger applies as is; anything else (no secure TLSA, only unusable TLSA records) is a
 *       temporary failure {@code dane-required}. A DANE TempFail passes through.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class OverridePolicySource implements TlsPolicySource {

    /** Replaced whole by {@link #replaceLevels} (configuration reload); read once per decision. */
    private volatile Map<String, TlsLevel> levels;
    private final TlsPolicySource dane;
    private final Function<String, PeerVerifier> pkix;

    /**
     * @param levels domain (or {@code .suffix}) to level, as configured
     * @param dane the DANE policy source, for {@code dane} overrides; may be null when none is configured (then a
     *     {@code dane} override always tempfails)
     * @param pkix the verifier for a {@code verify} override, given the MX host name
     */
    public OverridePolicySource(Map<String, TlsLevel> levels, TlsPolicySource dane,
            Function<String, PeerVerifier> pkix) {
        this.levels = canonical(levels);
        this.dane = dane;
        this.pkix = Objects.requireNonNull(pkix, "pkix");
    }

    /** Takes a new {@code policies:} section (SIGHUP); decisions already started finish with the old one. */
    public void replaceLevels(Map<String, TlsLevel> newLevels) {
        this.levels = canonical(newLevels);
    }

    private static Map<String, TlsLevel> canonical(Map<String, TlsLevel> levels) {
        Map<String, TlsLevel> copy = new LinkedHashMap<>();
        levels.forEach((k, v) -> copy.put(canonicalKey(k), Objects.requireNonNull(v, k)));
        return Map.copyOf(copy);
    }

    @Override
    public CompletionStage<PolicyDecision> decide(PolicyRequest request) {
        Map<String, TlsLevel> current = levels;
        String key = lookup(current, request.recipientDomain());
        if (key == null) {
            return CompletableFuture.completedFuture(new PolicyDecision.NotApplicable("no local override"));
        }
        TlsLevel level = current.get(key);
        String why = "local override " + key + ": " + level.configName();
        return switch (level) {
            case DANE -> requireDane(request, why);
            case VERIFY -> apply(new TlsPolicy(level, PolicyOrigin.OVERRIDE, request.policyDomain(),
                    request.mxHost(), pkix.apply(request.mxHost()), why + " (PKIX, name " + request.mxHost() + ")"));
            default -> apply(new TlsPolicy(level, PolicyOrigin.OVERRIDE, request.policyDomain(), request.mxHost(),
                    PeerVerifier.ACCEPT_ANY, why));
        };
    }

    private CompletionStage<PolicyDecision> requireDane(PolicyRequest request, String why) {
        if (dane == null) {
            return CompletableFuture.completedFuture(new PolicyDecision.TempFail(TlsFailure.DANE_REQUIRED,
                    why + ", but no DANE policy source is configured"));
        }
        return dane.decide(request).thenApply(d -> {
            if (d instanceof PolicyDecision.Apply a && a.policy().level().atLeast(TlsLevel.DANE)) {
                TlsPolicy p = a.policy();
                return new PolicyDecision.Apply(new TlsPolicy(p.level(), p.source(), p.policyDomain(), p.sniName(),
                        p.verifier(), why + "; " + p.description(), p.policyStrings()));
            }
            if (d instanceof PolicyDecision.TempFail) {
                return d;
            }
            String found = d instanceof PolicyDecision.Apply a ? a.policy().description()
                    : ((PolicyDecision.NotApplicable) d).reason();
            return new PolicyDecision.TempFail(TlsFailure.DANE_REQUIRED,
                    why + ", but " + request.mxHost() + " has no usable secure TLSA records (" + found + ")");
        });
    }

    private static String lookup(Map<String, TlsLevel> levels, String domain) {
        if (levels.containsKey(domain)) {
            return domain;
        }
        for (int dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.', dot + 1)) {
            String suffix = domain.substring(dot);
            if (levels.containsKey(suffix)) {
                return suffix;
            }
        }
        return null;
    }

    private static CompletionStage<PolicyDecision> apply(TlsPolicy p) {
        return CompletableFuture.completedFuture(new PolicyDecision.Apply(p));
    }

    private static String canonicalKey(String k) {
        return k.startsWith(".") ? "." + DomainNames.canonical(k.substring(1)) : DomainNames.canonical(k);
    }
}
