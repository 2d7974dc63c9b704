package io.stsdane.relay.bench;

import java.util.Locale;

/** How the relay reaches the sink in one end-to-end run (issue 9: four variants). */
public enum Variant {
    /** The sink offers no STARTTLS: the relay delivers in clear. */
    PLAINTEXT(false),
    /** STARTTLS with a self-signed certificate and no policy: opportunistic TLS. */
    STARTTLS(true),
    /** Signed zone with TLSA 3 1 1 for the sink's key: DANE-verified STARTTLS (RFC 7672). */
    DANE(true),
    /** MTA-STS policy in enforce mode served over HTTPS; the sink's certificate chains to a test root. */
    MTA_STS(true);

    private final boolean sinkTls;

    Variant(boolean sinkTls) {
        this.sinkTls = sinkTls;
    }

    public boolean sinkTls() {
        return sinkTls;
    }

    /** The spelling on the command line and in result names: {@code plaintext}, {@code mta-sts}... */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Variant parse(String s) {
        for (Variant v : values()) {
            if (v.label().equals(s)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown variant '" + s + "' (expected plaintext, starttls, dane or mta-sts)");
    }
}
