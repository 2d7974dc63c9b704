package io.stsdane.relay.server.tlsrpt.internal;

import io.stsdane.relay.core.tls.TlsPolicy;
import java.util.List;
import java.util.Locale;

/**
 * Identifies one "policy" entry of an RFC 8460 report (§4.3): sessions are counted per policy domain and
 * applied policy.
 *
 * @param domain the policy domain
 * @param type {@code sts}, {@code tlsa} or {@code no-policy-found}
 * @param policyString the policy as text; empty for {@code no-policy-found}
 * @param mxHost for {@code tlsa} the MX host whose TLSA RRset applied (each host has its own policy); else null
 */
public record PolicyKey(String domain, String type, List<String> policyString, String mxHost) {

    public PolicyKey {
        policyString = List.copyOf(policyString);
    }

    /**
     * The key for a session under {@code policy} with {@code mxHost}. The core policy carries only a one-line
     * description, so that is the policy string until it carries the STS lines or TLSA records themselves.
     * Overrides are local configuration, not a policy the domain published: they count as no-policy-found.
     */
    static PolicyKey of(TlsPolicy policy, String mxHost) {
        String domain = policy.policyDomain().toLowerCase(Locale.ROOT);
        return switch (policy.source()) {
            case DANE -> new PolicyKey(domain, "tlsa", List.of(policy.description()),
                    mxHost == null ? null : mxHost.toLowerCase(Locale.ROOT));
            case MTA_STS -> new PolicyKey(domain, "sts", List.of(policy.description()), null);
            case OVERRIDE, OPPORTUNISTIC -> new PolicyKey(domain, "no-policy-found", List.of(), null);
        };
    }
}
