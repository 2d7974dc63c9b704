package io.stsdane.relay.core.tls;

import java.util.List;
import java.util.Objects;

/**
 * The TLS policy for one MX host: what the delivery engine must do, whichever source produced it.
 *
 * <p>The verifier runs on every TLS session. Its verdict blocks delivery only when
 * {@link TlsLevel#requiresAuthentication()}; at lower levels (for example MTA-STS {@code testing}) it is
 * only logged and reported (RFC 8460).
 *
 * @param level what is required
 * @param source which source produced the policy
 * @param policyDomain the domain the policy belongs to (recipient domain, or the smart host's domain); used
 *     for TLS reporting
 * @param sniName the server name to send in the TLS ClientHello (the TLSA base name under DANE, the MX host
 *     name otherwise)
 * @param verifier checks the presented chain
 * @param description one line for logs: what must match and why this policy applies
 * @param policyStrings the applied policy as published, for the RFC 8460 §4.4 {@code policy-string}: the
 *     MTA-STS policy text one line per element, or the TLSA records of the RRset in presentation format; empty
 *     when the policy is not one the domain published
 */
public record TlsPolicy(
        TlsLevel level,
        PolicyOrigin source,
        String policyDomain,
        String sniName,
        PeerVerifier verifier,
        String description,
        List<String> policyStrings) {

    public TlsPolicy {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(policyDomain, "policyDomain");
        Objects.requireNonNull(sniName, "sniName");
        Objects.requireNonNull(verifier, "verifier");
        Objects.requireNonNull(description, "description");
        policyStrings = List.copyOf(policyStrings);
    }

    /** A policy that carries no published policy text (local configuration, opportunistic). */
    public TlsPolicy(TlsLevel level, PolicyOrigin source, String policyDomain, String sniName, PeerVerifier verifier,
            String description) {
        this(level, source, policyDomain, sniName, verifier, description, List.of());
    }

    /** Opportunistic STARTTLS to {@code mxHost}: the policy when no source applies. */
    public static TlsPolicy opportunistic(String policyDomain, String mxHost) {
        return new TlsPolicy(TlsLevel.MAY, PolicyOrigin.OPPORTUNISTIC, policyDomain, mxHost,
                PeerVerifier.ACCEPT_ANY, "no DANE or MTA-STS policy: opportunistic STARTTLS");
    }
}
