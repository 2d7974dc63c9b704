package io.stsdane.relay.server.tlsrpt.internal;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonFormat;
import io.stsdane.relay.core.tls.TlsPolicy;
import java.util.List;
import java.util.Locale;

/**
 * Identifies one "policy" entry of an RFC 8460 report (§4.3): sessions are counted per policy domain and
 * applied policy.
 *
 * @param domain the policy domain
 * @param type {@code sts}, {@code tlsa} or {@code no-policy-found}
 * @param policyString the policy as published: the MTA-STS policy lines or the TLSA records; empty for
 *     {@code no-policy-found}
 * @param mxHosts the RFC 8460 §4.4 {@code mx-host}: for {@code sts} the policy's {@code mx} patterns, for
 *     {@code tlsa} the MX host whose TLSA RRset applied (each host has its own policy); else empty. Counter
 *     files written before this was a list hold a single {@code mxHost} string, which still reads.
 */
public record PolicyKey(String domain, String type, List<String> policyString,
        @JsonAlias("mxHost") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> mxHosts) {

    public PolicyKey {
        policyString = List.copyOf(policyString);
        mxHosts = mxHosts == null ? List.of() : List.copyOf(mxHosts);
    }

    /**
     * The key for a session under {@code policy} with {@code mxHost}. Overrides are local configuration and
     * REQUIRETLS the sender's requirement, not a policy the domain published: they count as no-policy-found.
     */
    static PolicyKey of(TlsPolicy policy, String mxHost) {
        String domain = policy.policyDomain().toLowerCase(Locale.ROOT);
        return switch (policy.source()) {
            case DANE -> new PolicyKey(domain, "tlsa", policy.policyStrings(),
                    mxHost == null ? List.of() : List.of(mxHost.toLowerCase(Locale.ROOT)));
            case MTA_STS -> new PolicyKey(domain, "sts", policy.policyStrings(), mxPatterns(policy.policyStrings()));
            case OVERRIDE, OPPORTUNISTIC, REQUIRETLS, TLSRPT_REPORT -> new PolicyKey(domain, "no-policy-found", List.of(), List.of());
        };
    }

    /** The values of the {@code mx} fields of an MTA-STS policy: {@code "mx" *WSP ":" *WSP value} (RFC 8461 §3.2). */
    private static List<String> mxPatterns(List<String> policyLines) {
        return policyLines.stream()
                .filter(line -> line.indexOf(':') > 0 && line.substring(0, line.indexOf(':')).strip().equals("mx"))
                .map(line -> line.substring(line.indexOf(':') + 1).strip().toLowerCase(Locale.ROOT))
                .toList();
    }
}
