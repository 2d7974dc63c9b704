package io.stsdane.relay.smtp.outbound;

/** Where a host the delivery engine tries came from; it decides what a host without a usable address means. */
public enum HostRole {
    /** Named by the destination's MX RRset. */
    MX,
    /** The destination domain itself: it has no MX records (RFC 5321 §5.1). */
    IMPLICIT_MX,
    /** {@code delivery.smarthost}: named in the configuration, not by anyone's DNS. */
    SMART_HOST;

    /** Addresses that came from the destination's DNS: {@code delivery.denied-networks} applies to them. */
    public boolean fromDestinationDns() {
        return this != SMART_HOST;
    }
}
