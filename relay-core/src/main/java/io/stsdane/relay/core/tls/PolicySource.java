package io.stsdane.relay.core.tls;

/** Where a {@link TlsPolicy} came from, in the order the policy resolver consults them (SPEC-NOTES §1). */
public enum PolicySource {
    OVERRIDE("override"),
    DANE("dane"),
    MTA_STS("mta-sts"),
    OPPORTUNISTIC("opportunistic");

    private final String label;

    PolicySource(String label) {
        this.label = label;
    }

    /** The name used in logs and metric tags. */
    public String label() {
        return label;
    }
}
