package io.stsdane.relay.smtp.outbound.internal;

import io.stsdane.relay.core.pki.PkixVerifier;
import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.Verification;
import io.stsdane.relay.smtp.outbound.HostPolicyResolver;
import io.stsdane.relay.smtp.outbound.HostRole;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.X509TrustManager;

/**
 * The policy a REQUIRETLS message (RFC 8689) gets for one MX host, from the policy the host's sources gave.
 * RFC 8689 §4.2.1 asks two things before the message may leave (the third, REQUIRETLS advertised after
 * STARTTLS, is checked in the session):
 * <ol>
 *   <li>the MX host name is trustworthy: it came from a DNSSEC-secure MX lookup (or, without an MX, a secure
 *       denial of it), or an MTA-STS policy lists it (RFC 8461 §4.1, the relay's enforced MTA-STS policy). The
 *       smart host's name comes from the configuration, not from an MX lookup that could be forged: it is
 *       trustworthy as it is, however its addresses were found;</li>
 *   <li>the server's certificate verifies by DANE (RFC 7672) or by PKIX for the MX host name (RFC 6125).</li>
 * </ol>
 * A host whose name fails (1) cannot take the message at all: 5.7.10. Under DANE or an enforced MTA-STS
 * policy the certificate check (2) is already the policy's; otherwise the host gets level {@code verify}
 * with a PKIX check for its name against the relay's trust anchors (source {@link PolicyOrigin#REQUIRETLS}),
 * whatever weaker level its sources allowed; a policy that already authenticates must pass as well. DANE for a
 * host an insecure MX RRset named takes precedence over MTA-STS (RFC 8461 §2), so the enforced MTA-STS policy
 * that lists the host is then found among the sources' answers, not in the policy applied.
 *
 * <p>Immutable and thread-safe.
 */
final class RequireTlsRule {

    /** What a REQUIRETLS message may do at one host. */
    sealed interface Verdict {
        /** Try the host under {@code policy}. */
        record Send(TlsPolicy policy) implements Verdict {
        }

        /** The host cannot qualify (RFC 8689 §4.2.1): move on, and bounce when no host does. */
        record Refuse(HostFailure failure) implements Verdict {
        }
    }

    private final X509TrustManager trust;

    RequireTlsRule(X509TrustManager trust) {
        this.trust = Objects.requireNonNull(trust, "trust");
    }

    /**
     * @param policy the policy the host's sources gave
     * @param answers what each source answered: an enforced MTA-STS policy listing the host may be among them
     *     though a provisional DANE policy (an insecure MX RRset named the host) is the one applied
     */
    Verdict apply(MxHost host, TlsPolicy policy, List<HostPolicyResolver.Answer> answers) {
        boolean authenticated = policy.level().requiresAuthentication();
        if (authenticated && (policy.source() == PolicyOrigin.MTA_STS || enforcedMtaStsListsHost(answers))) {
            return new Verdict.Send(policy);
        }
        if (!host.mxSecurity().isSecure() && host.role() != HostRole.SMART_HOST) {
            return new Verdict.Refuse(HostFailure.permanent("5.7.10", "REQUIRETLS: " + host.name()
                    + " comes from an MX lookup that is not DNSSEC-secure and no enforced MTA-STS policy lists it"
                    + " (RFC 8689 §4.2.1; " + policy.description() + ")"));
        }
        if (authenticated && policy.source() == PolicyOrigin.DANE) {
            return new Verdict.Send(policy);
        }
        PeerVerifier pkix = PkixVerifier.forHost(trust, host.name());
        PeerVerifier verifier = authenticated ? both(policy.verifier(), pkix) : pkix;
        return new Verdict.Send(new TlsPolicy(TlsLevel.VERIFY, PolicyOrigin.REQUIRETLS, policy.policyDomain(),
                host.name(), verifier, "REQUIRETLS over a DNSSEC-secure MX (RFC 8689 §4.2.1): PKIX-valid certificate"
                        + " for " + host.name() + " required; the host's own policy: " + policy.description()));
    }

    /** An MTA-STS answer that authenticates: {@code enforce} mode and an {@code mx} pattern matched the host. */
    private static boolean enforcedMtaStsListsHost(List<HostPolicyResolver.Answer> answers) {
        return answers.stream().anyMatch(a -> a.decision() instanceof PolicyDecision.Apply ap
                && ap.policy().source() == PolicyOrigin.MTA_STS && ap.policy().level().requiresAuthentication());
    }

    /** Passes when {@code first} and then {@code second} pass; reports the first failure. */
    private static PeerVerifier both(PeerVerifier first, PeerVerifier second) {
        return chain -> {
            Verification v = first.verify(chain);
            return v.passed() ? second.verify(chain) : v;
        };
    }
}
