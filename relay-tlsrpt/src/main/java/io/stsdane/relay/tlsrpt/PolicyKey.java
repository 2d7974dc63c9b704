package io.stsdane.relay.tlsrpt;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonFormat;
import java.util.List;

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
}
