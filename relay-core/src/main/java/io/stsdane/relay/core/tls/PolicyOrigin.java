package io.stsdane.relay.core.tls;

/**
 * Where a {@link TlsPolicy} came from, in the order the policy resolver consults them: the local override, DANE
 * (RFC 7672), MTA-STS (RFC 8461; its §2 lets DANE take precedence, an MTA-STS policy never overrides it), and
 * opportunistic STARTTLS only when none applies.
 */
public enum PolicyOrigin {
    OVERRIDE("override"),
    DANE("dane"),
    MTA_STS("mta-sts"),
    OPPORTUNISTIC("opportunistic"),
    /**
     * The sender's REQUIRETLS (RFC 8689 §4.2.1) where no DANE or enforced MTA-STS policy authenticates a host
     * named by a DNSSEC-secure MX RRset: a certificate PKIX-valid for the MX host name. Never asked of the
     * sources above; not a policy the domain published.
     */
    REQUIRETLS("requiretls"),
    /**
     * The relay's own TLS-RPT report mail (RFC 8460 §5.3.1: MTA-STS and DANE failures are not honoured for it):
     * opportunistic STARTTLS, never asked of the sources above. Never used for client mail.
     */
    TLSRPT_REPORT("tlsrpt-report");

    private final String label;

    PolicyOrigin(String label) {
        this.label = label;
    }

    /** The name used in logs and metric tags. */
    public String label() {
        return label;
    }
}
