package io.stsdane.relay.smtp.outbound.internal;

import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.smtp.outbound.DeliveryOptions;
import io.stsdane.relay.smtp.outbound.HostPolicyResolver;
import java.util.List;

/**
 * The policy for the relay's own TLS-RPT reports (RFC 8460 §5.3.1: "when sending failure reports via SMTP,
 * Sending MTAs MUST NOT honor MTA-STS or DANE TLSA failures"): opportunistic STARTTLS whatever the sources say,
 * so that a report reaches exactly the domain whose TLS is broken instead of expiring in the queue.
 *
 * <p>Only envelopes the relay marked as its reports ({@code Envelope.tlsReport()}) get it; client mail never
 * does, whatever its headers say. Not through a smart host: that hop is the operator's own, carries the smart
 * host credentials, and is not where the report domain's failures show, so its configured policy stays.
 * Stateless and thread-safe.
 */
final class ReportPolicy {

    private static final String DESCRIPTION = "relay-generated TLS-RPT report (RFC 8460 §5.3.1): opportunistic "
            + "STARTTLS, MTA-STS and DANE failures not honoured";

    private ReportPolicy() {
    }

    /** Whether {@code req} is delivered under this policy instead of asking the policy sources. */
    static boolean appliesTo(DeliveryRequest req, DeliveryOptions options) {
        return req.envelope().tlsReport() && options.smartHost() == null;
    }

    /** The resolution for one MX host: the engine's {@code may} level, no source asked. */
    static HostPolicyResolver.Resolution resolution(String policyDomain, String mxHost) {
        TlsPolicy p = new TlsPolicy(TlsLevel.MAY, PolicyOrigin.TLSRPT_REPORT, policyDomain, mxHost,
                PeerVerifier.ACCEPT_ANY, DESCRIPTION);
        return new HostPolicyResolver.Resolution(new PolicyDecision.Apply(p), null, List.of());
    }
}
